// The control-plane commands (meters, usage, cancel): arguments → requests → JSON or a table on stdout.
import { readFileSync } from 'node:fs';
import type { Settings } from '../config/settings.js';
import type { ControlOptions } from '../control/client.js';
import { createMeter, deleteMeter, getMeter, listMeters, MAPPED_METERS, provisionMeters, updateMeter } from '../control/meters.js';
import { CALLBACK_METERS } from '../mapping/callback-profile.js';
import type { MappingProfile } from '../mapping/types.js';
import { cancelUsage, fetchUsage, toSeconds } from '../control/usage.js';
import { table } from '../util/tabular.js';

export class ArgError extends Error {}

export function controlOptions(s: Settings): ControlOptions {
  if (!s.apiKey) throw new ArgError('AFLO_API_KEY or AFLO_API_KEY_FILE: required for the meters, usage, cancel and audit commands');
  return { endpoint: s.controlEndpoint, apiKey: s.apiKey, timeoutMs: s.requestTimeout * 1000 };
}

function meterBody(args: Record<string, unknown>, readInput: (p: string) => string): object {
  if (typeof args.json === 'string') {
    try {
      return JSON.parse(readInput(args.json)) as object;
    } catch (err) {
      throw new ArgError(`--json: cannot read a JSON object from ${args.json} (${(err as Error).message})`);
    }
  }
  const body: Record<string, unknown> = {};
  if (args.label !== undefined) body.label = String(args.label);
  if (args['meter-api-name'] !== undefined) body.meterApiName = String(args['meter-api-name']);
  if (args['meter-type'] !== undefined) body.meterType = String(args['meter-type']);
  return body;
}

export async function metersCommand(o: ControlOptions, action: string, args: Record<string, unknown>, readInput: (p: string) => string,
  profile: MappingProfile = 'default'): Promise<unknown> {
  const id = args.id === undefined ? undefined : String(args.id);
  switch (action) {
    case 'list': return listMeters(o);
    case 'get': return getMeter(o, need(id, 'ID'));
    case 'delete': return deleteMeter(o, need(id, 'ID'));
    case 'create': {
      const body = meterBody(args, readInput) as Record<string, unknown>;
      for (const [field, flag] of [['label', '--label'], ['meterApiName', '--meter-api-name'], ['meterType', '--meter-type']]) {
        if (body[field] === undefined) throw new ArgError(`meters create: ${flag} is required (or --json FILE|-)`);
      }
      return createMeter(o, body);
    }
    case 'update': return updateMeter(o, need(id, 'ID'), meterBody(args, readInput));
    case 'provision': return provisionMeters(o, Boolean(args['dry-run']), profile === 'callback' ? CALLBACK_METERS : MAPPED_METERS);
    default: throw new ArgError(`meters: unknown action ${action}`);
  }
}

function need(v: string | undefined, name: string): string {
  if (!v) throw new ArgError(`${name} is required`);
  return v;
}

function seconds(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const s = toSeconds(String(v));
  if (s === undefined) throw new ArgError(`${flag}: not a time (give seconds since the epoch or an ISO date)`);
  return s;
}

export async function usageCommand(o: ControlOptions, args: Record<string, unknown>, nowSeconds: number): Promise<unknown> {
  const groupBy = ([] as unknown[]).concat(args['group-by'] ?? []).map(String);
  return fetchUsage(o, {
    meterApiName: String(args['meter-api-name']), start: seconds(args.start, '--start'), end: seconds(args.end, '--end'),
    interval: args.interval === undefined ? undefined : String(args.interval), groupBy,
  }, nowSeconds);
}

export async function cancelCommand(o: ControlOptions, args: Record<string, unknown>): Promise<unknown> {
  const dimensions: Record<string, string[]> = {};
  for (const d of ([] as unknown[]).concat(args.dimension ?? []).map(String)) {
    const eq = d.indexOf('=');
    if (eq <= 0) throw new ArgError(`--dimension: "${d}" is not key=value`);
    (dimensions[d.slice(0, eq)] ??= []).push(d.slice(eq + 1));
  }
  return cancelUsage(o, {
    ruleId: String(args['rule-id']), meterApiName: String(args['meter-api-name']),
    start: seconds(args.start, '--start')!, end: seconds(args.end, '--end')!,
    customerId: args.customer === undefined ? undefined : String(args.customer), dimensions,
  });
}

/** JSON, or with --format table a plain table of the scalar fields of a list of objects. */
export function formatOutput(value: unknown, format: string): string {
  if (format !== 'table') return JSON.stringify(value, null, 2) + '\n';
  const rows = Array.isArray(value) ? value : [value];
  const objs = rows.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null);
  const cols = [...new Set(objs.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] !== 'object' || r[k] === null)))];
  if (cols.length === 0) return JSON.stringify(value, null, 2) + '\n';
  return table(cols, objs.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] === undefined || r[c] === null ? '' : String(r[c])]))));
}

export function readInputFile(path: string, stdin: () => string): string {
  return path === '-' ? stdin() : readFileSync(path, 'utf8');
}
