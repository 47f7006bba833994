// `aflo-tail audit`: the ledger's shipped totals beside what Amberflo's usage API reports for the same meters,
// periods and groups; with `--logs`, what log files hold beside what the ledger read. Exit 1 when a bucket differs.
import type { Settings } from '../config/settings.js';
import type { ControlOptions } from '../control/client.js';
import { fetchUsage, usagePoints } from '../control/usage.js';
import { bucketRows, INTERVAL_MS, isoPeriod, sameAmount, type Bucket } from '../ledger/buckets.js';
import type { LedgerGroup } from '../ledger/ledger-key.js';
import { logTotals } from '../ledger/log-totals.js';
import type { MappingOptions } from '../mapping/types.js';
import type { Row } from '../util/tabular.js';
import { amount, rangeFrom, readLedger, ReportArgError, type Range } from './report.js';

export type BucketStatus = 'ok' | 'differs' | 'settling';
export interface AuditOutcome { columns: string[]; rows: Row[]; differing: number; settling: number; notes: string[] }

/** Amberflo's names for the groups (the customer is `customerId`). */
const AMBERFLO_NAME: Record<LedgerGroup, string> = {
  meter: 'meterApiName', type: 'type', cache: 'cache', business_unit_id: 'business_unit_id', model: 'model', customer: 'customerId',
};

/** `--settle 30m`: seconds, or a number with s, m or h. */
export function parseSettle(v: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(String(v).trim());
  if (!m) return undefined;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

/** Object stores are read by Amberflo some minutes after the upload; the ingest API within seconds. */
export function defaultSettleMs(backend: string | undefined): number {
  return backend === 's3' || backend === 'azure-blob' ? 30 * 60_000 : 5 * 60_000;
}

function rangeAndSettle(args: Record<string, unknown>, nowMs: number): { range: Range; settleMs?: number } {
  const range = rangeFrom(args, nowMs, { interval: 'hour', groups: [] });
  range.groups = ['meter', ...range.groups.filter((g) => g !== 'meter')];
  if (args.settle === undefined) return { range };
  const settleMs = parseSettle(args.settle);
  if (settleMs === undefined) throw new ReportArgError('--settle: not a duration (give seconds, or e.g. 90s, 30m, 2h)');
  return { range, settleMs };
}

const keyOf = (periodMs: number, groups: string[]) => JSON.stringify([periodMs, ...groups]);

/** Compares two sets of totals bucket by bucket; `young` buckets that differ are settling, not failed. */
function compare(range: Range, ours: Bucket[], theirs: Map<string, number>, ourSide: (b: Bucket) => number, names: [string, string],
  young: (periodMs: number) => boolean, extra?: (b: Bucket | undefined) => Row): Omit<AuditOutcome, 'notes'> {
  const keys = new Map<string, { periodMs: number; groups: string[]; bucket?: Bucket }>();
  for (const b of ours) keys.set(keyOf(b.periodMs, b.groups), { periodMs: b.periodMs, groups: b.groups, bucket: b });
  for (const k of theirs.keys()) {
    if (!keys.has(k)) {
      const [periodMs, ...groups] = JSON.parse(k) as [number, ...string[]];
      keys.set(k, { periodMs, groups });
    }
  }
  const rows: Row[] = [];
  let differing = 0;
  let settling = 0;
  const sorted = [...keys.entries()].sort(([, a], [, b]) => a.periodMs - b.periodMs || (a.groups.join('\0') < b.groups.join('\0') ? -1 : 1));
  for (const [k, { periodMs, groups, bucket }] of sorted) {
    const mine = bucket ? ourSide(bucket) : 0;
    const other = theirs.get(k) ?? 0;
    const more = extra?.(bucket) ?? {};
    if (mine === 0 && other === 0 && Object.values(more).every((v) => !v)) continue;
    let status: BucketStatus = 'ok';
    if (!sameAmount(mine, other)) {
      status = young(periodMs) ? 'settling' : 'differs';
      if (status === 'differs') differing++;
      else settling++;
    }
    rows.push({ period: isoPeriod(periodMs, range.interval), ...Object.fromEntries(range.groups.map((g, i) => [g, groups[i]])),
      [names[0]]: amount(mine), [names[1]]: amount(other), difference: amount(other - mine), ...more, status });
  }
  return { columns: ['period', ...range.groups, names[0], names[1], 'difference', ...Object.keys(extra?.(undefined) ?? {}), 'status'], rows, differing, settling };
}

export interface AuditDeps { now: () => number; control: ControlOptions; fetch?: typeof fetchUsage }

/** What the ledger says was shipped beside what Amberflo reports (per meter: one usage query each). */
export async function auditAmberflo(s: Settings, args: Record<string, unknown>, deps: AuditDeps): Promise<AuditOutcome> {
  const nowMs = deps.now();
  const { range, settleMs } = rangeAndSettle(args, nowMs);
  const { rows, backend, notes: kept } = readLedger(s, deps.now, range);
  const settle = settleMs ?? defaultSettleMs(backend);
  const ours = bucketRows(rows, range.interval, range.groups);
  const meters = [...new Set(ours.filter((b) => b.shipped.events > 0 || b.dead.events > 0).map((b) => b.groups[0]))].sort();
  const theirs = new Map<string, number>();
  const groupBy = range.groups.slice(1).map((g) => AMBERFLO_NAME[g]);
  for (const meter of meters) {
    const answer = await (deps.fetch ?? fetchUsage)(deps.control, {
      meterApiName: meter, start: range.startMs / 1000, end: range.endMs / 1000, interval: range.interval, groupBy,
    }, Math.floor(nowMs / 1000));
    for (const p of usagePoints(answer)) {
      if (p.periodMs < range.startMs || p.periodMs >= range.endMs) continue;
      const k = keyOf(p.periodMs, [meter, ...groupBy.map((g) => p.group[g] ?? '')]);
      theirs.set(k, (theirs.get(k) ?? 0) + p.value);
    }
  }
  const young = (periodMs: number) => settle > 0 && periodMs + INTERVAL_MS[range.interval] > nowMs - settle;
  const out = compare(range, ours, theirs, (b) => b.shipped.value, ['shipped', 'amberflo'], young,
    (b) => ({ dead_lettered: amount(b?.dead.value ?? 0) }));
  const notes = [`${meters.length} meter${meters.length === 1 ? '' : 's'} compared from ${new Date(range.startMs).toISOString()} to ` +
    `${new Date(range.endMs).toISOString()}; periods ending less than ${Math.round(settle / 60_000)} min ago are settling (--settle)`, ...kept];
  return { ...out, notes };
}

/** What the log files map to beside what the ledger read from them (files never followed, entries skipped). */
export async function auditLogs(s: Settings, args: Record<string, unknown>, paths: string[], mapping: MappingOptions, now: () => number): Promise<AuditOutcome> {
  const nowMs = now();
  const { range, settleMs } = rangeAndSettle(args, nowMs);
  const settle = settleMs ?? 5 * 60_000;
  const read = readLedger(s, now, range);
  const ledger = bucketRows(read.rows, range.interval, range.groups);
  const logs = await logTotals(paths, mapping, s.maxLineBytes, range.startMs, range.endMs, now);
  const theirs = new Map(bucketRows(logs.rows, range.interval, range.groups).map((b) => [keyOf(b.periodMs, b.groups), b.read.value]));
  const young = (periodMs: number) => settle > 0 && periodMs + INTERVAL_MS[range.interval] > nowMs - settle;
  const out = compare(range, ledger, theirs, (b) => b.read.value, ['read', 'in_logs'], young);
  const notes = [`${logs.files.length} file${logs.files.length === 1 ? '' : 's'} read again`, ...read.notes,
    ...logs.unreadable.map((u) => `cannot read ${u.path} (${u.code})`)];
  return { ...out, differing: out.differing + logs.unreadable.length, notes };
}
