// Every field the JavaScript mapper reads is in mapping/fields-read.ts, marked as read by the native side too or as
// one it declines: a field added to one mapper only fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recognise } from '../../src/entries/recognise.js';
import { mapEntryInto } from '../../src/mapping/map-entry.js';
import { RecordBuffer } from '../../src/mapping/record-buffer.js';
import { addonOptions, FastMapper, fastMapAddon } from '../../src/mapping/fast-mapper.js';
import { FIELDS_READ } from '../../src/mapping/fields-read.js';
import { MAPPING, slpLine } from '../helpers.js';
import { bothWays, entry, REGIONS } from './entry-arbitrary.js';

/** The value with every read of it recorded as a dotted path (`[]` for array items, `*` for listing keys). */
function tracked(value: unknown, path: string, seen: Set<string>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const child = (key: string) => (path === '' ? key : `${path}.${key}`);
  return new Proxy(value as object, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return v;
      if (Array.isArray(target)) {
        if (key === 'length' || /^\d+$/.test(key)) seen.add(`${path}[]`);
        return /^\d+$/.test(key) ? tracked(v, `${path}[]`, seen) : v;
      }
      seen.add(child(key));
      return tracked(v, child(key), seen);
    },
    has(target, key) {
      if (typeof key === 'string') seen.add(child(key));
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      seen.add(child('*'));
      return Reflect.ownKeys(target);
    },
  });
}

/**
 * What mapping `value` reads, for the entries the native side may take: a LiteLLM entry as it is. Wrapped entries and
 * SpendLogs rows (recognise() returns another object) are declined by the native side whole.
 */
function readsOf(value: unknown, seen: Set<string>): void {
  if (recognise(value) !== value) return;
  const slp = recognise(tracked(value, '', seen));
  if (slp) mapEntryInto(slp, { ...MAPPING, regionMap: REGIONS }, { sourceId: 's', start: 0, index: 0, fallbackTimeMs: 1 }, new RecordBuffer(256));
}

/** A copy of `base` with `value` at the dotted `path` (objects made on the way). */
function withField(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const out = structuredClone(base);
  const keys = path.split('.');
  let o: Record<string, unknown> = out;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null || Array.isArray(o[k])) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys.at(-1)!] = value;
  return out;
}

/** A chat completion, a speech call and an image call: every field is read by at least one of them. */
const BASES: Record<string, unknown>[] = [
  JSON.parse(slpLine('b-chat', { metadata: { usage_object: { prompt_tokens: 10, completion_tokens: 20 } } })),
  JSON.parse(slpLine('b-speech', { call_type: 'aspeech', model_parameters: { input: 'hello' } })),
  JSON.parse(slpLine('b-image', { call_type: 'image_generation', response: { size: '16x16' } })),
];
const VALUES: unknown[] = [7, 'flex', 'create_batch', ['m'], 'ProxyException', 'failure', 1766000099.5, { a: 1 }, null];
const normalised = (path: string) => path.replace(/\[\]$/, '').replace(/\.\*$/, '');

describe('fields the mapping reads', () => {
  it('are each in mapping/fields-read.ts, and each field there is read (fixtures, random entries, every field set)', () => {
    const seen = new Set<string>();
    const dir = join(import.meta.dirname, '../fixtures/litellm');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) readsOf(JSON.parse(readFileSync(join(dir, f), 'utf8')), seen);
    for (const e of fc.sample(entry, { numRuns: 2000, seed: 11 })) readsOf(e, seen);
    for (const path of Object.keys(FIELDS_READ)) for (const base of BASES) readsOf(withField(base, path, 5), seen);
    const read = new Set([...seen].map(normalised));
    expect([...read].filter((p) => !(p in FIELDS_READ)).sort()).toEqual([]);
    expect(Object.keys(FIELDS_READ).filter((p) => !read.has(p)).sort()).toEqual([]);
  });

  it('the native mapper gives what the JavaScript mapper gives, whatever is in a field it reads (and takes some of each)', () => {
    const m = FastMapper.create(MAPPING)!;
    const untaken: string[] = [];
    for (const [path, use] of Object.entries(FIELDS_READ)) {
      if (use !== 'reads') continue;
      let taken = 0;
      for (const value of VALUES) {
        const line = JSON.stringify(withField(BASES[0], path, value));
        const { js, native } = bothWays(line + '\n');
        expect(native, `${path} = ${JSON.stringify(value)}`).toEqual(js);
        if (m.mapLine(Buffer.from(line), 0, line.length, new RecordBuffer(256), 1) >= 0) taken++;
      }
      if (taken === 0) untaken.push(path);
    }
    expect(untaken).toEqual([]);
  });

  it('the native mapper hands back every entry with a field it declines, and every speech or image call', () => {
    const m = FastMapper.create(MAPPING)!;
    const plain = JSON.stringify(BASES[0]);
    expect(m.mapLine(Buffer.from(plain), 0, plain.length, new RecordBuffer(256), 1)).toBeGreaterThanOrEqual(0);
    for (const [path, use] of Object.entries(FIELDS_READ)) {
      if (use === 'reads') continue;
      for (const line of use === 'declines' ? [JSON.stringify(withField(BASES[0], path, 5))] : BASES.slice(1).map((b) => JSON.stringify(withField(b, path, 5)))) {
        expect(m.mapLine(Buffer.from(line), 0, line.length, new RecordBuffer(256), 1), path).toBe(-1);
      }
    }
  });
});

describe('the native mapper has no rules of its own', () => {
  it('writes the lists and names it is given: another tier list or meter name changes its records', () => {
    const addon = fastMapAddon()!;
    const opts = addonOptions(MAPPING);
    const line = Buffer.from(slpLine('t-1', { model_parameters: { service_tier: 'scale' } }));
    const map = (o: typeof opts) => {
      const out = Buffer.alloc(1 << 16);
      const ends = new Uint32Array(16);
      const r = addon.mapLine(addon.create(o), line, 0, line.length, out, 0, 1, ends);
      expect(r).toBeGreaterThan(0);
      return out.subarray(0, ends[(r & 0xff) - 1]).toString();
    };
    expect(map(opts)).toContain('"tier":"n"');
    const changed = map({ ...opts, tiers: [...opts.tiers, 'scale'], meters: { ...opts.meters, requests: 'llm_calls' } });
    expect(changed).toContain('"tier":"scale"');
    expect(changed).toContain('"meterApiName":"llm_calls"');
  });

  it('refuses a dimension it cannot work out, so that no line is mapped without it', () => {
    const addon = fastMapAddon()!;
    expect(() => addon.create({ ...addonOptions(MAPPING), dimensions: [...addonOptions(MAPPING).dimensions, 'project'] }))
      .toThrow('a dimension this build does not work out: project');
  });
});
