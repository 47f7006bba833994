// The 15 payloads captured from a live proxy, under the default mapping: every one maps, tokens balance, both
// mappers agree, object metadata has the callback's shape (one object per event), image calls bill image tokens
// and images, and a rejected key's failure carries error_code 401.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapEntry } from '../../src/mapping/map-entry.js';
import type { MeterEvent } from '../../src/mapping/types.js';
import { decodePiece } from '../../src/pipeline/decode.js';
import { MAPPING, readAll } from '../helpers.js';

const DIR = join(import.meta.dirname, '../fixtures/callback');
const cases = readdirSync(DIR).filter((f) => f.endsWith('.slo.json')).map((f) => f.replace('.slo.json', ''));
const opts = { ...MAPPING, hostedEnv: 'agent1', sendObjectMetadata: true };

function mapped(name: string, o = opts): MeterEvent[] {
  const found = readAll([readFileSync(join(DIR, `${name}.slo.json`))], { force: true });
  expect(found.skips).toEqual([]);
  expect(found.entries).toHaveLength(1);
  return mapEntry(found.entries[0].slp, o, { sourceId: name, start: 0, index: 0, fallbackTimeMs: 1 }).events;
}
const expected = (name: string) => JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8')) as MeterEvent[];
const sorted = (objs: object[]) => objs.map((o) => JSON.stringify(o, Object.keys(o).sort())).sort();
const value = (events: MeterEvent[], meter: string, type?: string) => events
  .filter((e) => (meter === '' || e.meterApiName === meter) && (type === undefined || (e.dimensions as Record<string, string>).type === type))
  .reduce((a, e) => a + e.meterValue, 0);
const tokenEvents = (events: MeterEvent[]) => events.filter((e) => e.meterApiName.endsWith('_tokens'));

describe('callback fixtures under the default mapping', () => {
  it('has the 15 cases', () => expect(cases).toHaveLength(15));

  for (const name of cases) {
    it(`${name}: maps; object metadata as the callback sends it; both mappers write the same bytes`, () => {
      const events = mapped(name);
      // The same objects, one event each (the times differ: the default profile floors, the callback rounds).
      const meta = (es: MeterEvent[]) => es.filter((e) => e.meterApiName === 'aflo.object_metadata').map((e) => e.dimensions);
      expect(sorted(meta(events))).toEqual(sorted(meta(expected(name))));
      for (const d of meta(events)) expect(Array.isArray(d)).toBe(false);
      const bytes = readFileSync(join(DIR, `${name}.slo.json`));
      const compact = Buffer.from(JSON.stringify(JSON.parse(bytes.toString())) + '\n');
      const run = (native: boolean) => decodePiece({ bytes: Buffer.from(compact), state: { lineStart: 0, skipLen: 0, acc: null }, eof: 'final',
        sourceId: 's', fallbackTimeMs: 1 }, { mapping: { ...MAPPING, native }, maxEntryBytes: 1 << 20 }).data.toString();
      expect(run(true)).toBe(run(false));
    });
  }

  it('tokens balance on every payload: in events add up to prompt_tokens, out events to completion_tokens', () => {
    for (const name of cases) {
      const slp = JSON.parse(readFileSync(join(DIR, `${name}.slo.json`), 'utf8'));
      const u = slp.metadata?.usage_object ?? {};
      const events = mapped(name);
      expect(value(tokenEvents(events), '', 'in'), name).toBe(u.prompt_tokens ?? 0);
      expect(value(tokenEvents(events), '', 'out'), name).toBe(u.completion_tokens ?? 0);
    }
  });

  it('gpt-image-1: 8,320 output tokens are image tokens, and 2 images; Bedrock Stability: 1 image', () => {
    const gpt = mapped('openai-gpt-image-1.image_gen');
    expect(value(gpt, 'llm_image_tokens', 'out')).toBe(8320);
    expect(value(gpt, 'llm_text_tokens', 'out')).toBe(0);
    expect(value(gpt, 'llm_text_tokens', 'in')).toBe(28);
    expect(value(gpt, 'llm_images')).toBe(2);
    expect(value(mapped('bedrock-stability-v1.image_gen'), 'llm_images')).toBe(1);
  });

  it('a key the proxy rejected (ProxyException, empty code) is error_code 401; other failures keep their code', () => {
    const authz = mapped('proxy-authz-error.completion').find((e) => e.meterApiName === 'llm_requests')!;
    expect(authz.dimensions.error_code).toBe('401');
    const limited = mapped('openai-rate-limit.completion').find((e) => e.meterApiName === 'llm_requests')!;
    expect(limited.dimensions.error_code).not.toBe('401');
  });
});

describe('the callback profile (AFLO_MAPPING=callback)', () => {
  const callback = { ...opts, profile: 'callback' as const };
  /** Events as the callback's files write them: keys sorted at every level. */
  const canonical = (es: object[]) => es.map((e) => JSON.stringify(sortKeys(e))).sort();
  for (const name of cases) {
    it(`${name}: exactly the events Amberflo's callback emits`, () => {
      expect(canonical(mapped(name, callback))).toEqual(canonical(expected(name)));
    });
  }

  it('maps LiteLLM\'s own payloads, on which the callback would stop (no metadata, string times, SpendLogs rows)', () => {
    const dir = join(import.meta.dirname, '../fixtures/litellm');
    for (const f of readdirSync(dir).filter((n) => /^(0\d|1[013-5])_/.test(n))) {
      const found = readAll([readFileSync(join(dir, f))], { force: true });
      for (const e of found.entries) {
        const events = mapEntry(e.slp, callback, { sourceId: f, start: e.start, index: 0, fallbackTimeMs: 1700000000000 }).events;
        const call = events.find((x) => x.meterApiName === 'llm_api_call');
        expect(call, f).toBeDefined();
        expect(Number.isInteger(call!.meterTimeInMillis)).toBe(true);
        for (const ev of events) expect(typeof ev.uniqueId === 'string' || ev.meterApiName === 'aflo.object_metadata').toBe(true);
      }
    }
  });
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
}
