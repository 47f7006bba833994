// The native fast path against the JavaScript mapper: built, taking plain LiteLLM lines, and giving exactly the
// same records, items and flags on random entries, random options and randomly damaged lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FastMapper, fastMapAddon } from '../../src/mapping/fast-mapper.js';
import { RecordBuffer } from '../../src/mapping/record-buffer.js';
import { MAPPING, slpLine } from '../helpers.js';
import { bothWays, entry, options, REGIONS } from './entry-arbitrary.js';

/** The ways a line is written: as it is, with a duplicate key either side, an escaped key, spaces, a CR, a BOM, a wrapper. */
function variants(e: Record<string, unknown>): string[] {
  const line = JSON.stringify(e);
  return [line, '{"model":"first",' + line.slice(1), line.slice(0, -1) + ',"model":"last"}', line.replace('"id"', '"\\u0069d"'),
    '  ' + line + ' \t', line + '\r', '\ufeff' + line, JSON.stringify({ standard_logging_object: e }), `[${line}]`];
}

describe('native fast mapper', () => {
  it('takes a good share of the random entries below (else their comparison would test little)', () => {
    const m = FastMapper.create({ ...MAPPING, regionMap: REGIONS })!;
    let taken = 0;
    const samples = fc.sample(entry, { numRuns: 1000, seed: 7 });
    for (const e of samples) {
      const b = Buffer.from(JSON.stringify(e));
      if (m.mapLine(b, 0, b.length, new RecordBuffer(1024), 1) >= 0) taken++;
    }
    expect(taken / samples.length).toBeGreaterThan(0.2);
  });

  it('is built, and takes the plain lines of the bench and of LiteLLM callbacks', () => {
    expect(fastMapAddon()).not.toBeNull();
    const m = FastMapper.create(MAPPING)!;
    const out = new RecordBuffer(16); // too small: the mapper asks for room, then writes
    const line = Buffer.from(slpLine('c-1', { api_base: 'https://api.openai.com', metadata: { usage_object: { prompt_tokens: 10, completion_tokens: 20 } } }));
    expect(m.mapLine(line, 0, line.length, out, 1)).toBeGreaterThanOrEqual(0);
    expect(out.count).toBe(4);
    expect(FastMapper.create({ ...MAPPING, sendObjectMetadata: true })).toBeUndefined();
    expect(FastMapper.create({ ...MAPPING, native: false })).toBeUndefined();
  });

  it('gives what the JavaScript mapper gives on every LiteLLM fixture', () => {
    const dir = join(__dirname, '../fixtures/litellm');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      const compact = JSON.stringify(JSON.parse(text)) + '\n';
      for (const t of [text, compact]) {
        const { js, native } = bothWays(t);
        expect(native).toEqual(js);
      }
    }
  });

  it('gives the same records, items and flags as the JavaScript mapper on random entries and options', () => {
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 4 }), options, (entries, opts) => {
      const text = entries.flatMap((e) => variants(e as Record<string, unknown>)).join('\n') + '\n';
      const { js, native } = bothWays(text, opts);
      expect(native).toEqual(js);
    }), { numRuns: 400 });
  });

  it('gives the same on large lines: 200,000 values, an object of 2,000 members, nesting past its depth limit', () => {
    const wide = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]));
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const lines = [
      slpLine('l-1', { messages: Array.from({ length: 200000 }, (_, i) => i % 7) }),
      slpLine('l-2', { ...wide, model: 'wide', metadata: { ...wide, user_api_key_alias: 'k' } }),
      slpLine('l-3', { response: { deep } }),
      slpLine('l-4'),
    ];
    const { js, native } = bothWays(lines.join('\n') + '\n');
    expect(native).toEqual(js);
    expect(js.recordsAfter.length).toBe(4);
  });

  it('hands back a line of more values than its index takes, or over 1 MB (memory bounded), then takes plain lines again', () => {
    const m = FastMapper.create(MAPPING)!;
    const long = Buffer.from(slpLine('long', { messages: [{ role: 'user', content: 'x'.repeat(1 << 20) }] }));
    expect(m.mapLine(long, 0, long.length, new RecordBuffer(1024), 1)).toBe(-1);
    const big = Buffer.from(slpLine('big', { messages: Array.from({ length: 300_000 }, (_, i) => i % 7) }));
    const small = Buffer.from(slpLine('small', { messages: Array.from({ length: 200_000 }, (_, i) => i % 7) }));
    expect(m.mapLine(big, 0, big.length, new RecordBuffer(1024), 1)).toBe(-1);
    expect(m.mapLine(small, 0, small.length, new RecordBuffer(1024), 1)).toBeGreaterThanOrEqual(0);
  });

  it('writes every number as String() does: token values and seconds of any size', () => {
    const value = fc.oneof(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0 }),
      fc.constantFrom(1e21, 1e-7, 1.5e-7, 123e-20, 2 ** 53, 2 ** 60, 0.1 + 0.2, 1e308, 1.7e308));
    const time = fc.double({ min: 1.6e9, max: 1.8e9, noNaN: true });
    fc.assert(fc.property(value, value, value, value, fc.boolean(), time, fc.double({ min: 0, max: 1e-3, noNaN: true }), (prompt, completion, reads, writes, hit, start, dt) => {
      // A cache hit adds the text input counts up: past the largest double, Infinity.
      const details = { prompt_tokens_details: { cached_tokens: reads, cache_creation_tokens: writes } };
      const { js, native } = bothWays(slpLine('n-1', { prompt_tokens: prompt, completion_tokens: completion, startTime: start, endTime: start + dt,
        cache_hit: hit, metadata: { usage_object: { prompt_tokens: prompt, completion_tokens: completion, ...details } } }) + '\n');
      expect(native).toEqual(js);
    }), { numRuns: 1000 });
  });

  it('gives the same as the JavaScript reader on damaged lines, and never throws', () => {
    const base = slpLine('d-1', { metadata: { usage_object: { prompt_tokens: 1e3, completion_tokens: 7,
      prompt_tokens_details: { cached_tokens: 3 } } }, api_base: 'eu.api.openai.com', messages: [{ role: 'user', content: 'hi\n"there"' }] });
    const bytes = fc.constantFrom(...'"\\{}[],:0-e.E+ \rntfu'.split('').map((c) => c.charCodeAt(0)), 0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xff);
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), bytes, fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 4 }), (edits) => {
      let b = Buffer.from(base);
      for (const [at, byte, how] of edits) {
        if (how === 'set') b[at % b.length] = byte;
        else if (how === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from([byte]), b.subarray(at)]);
        else b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
      }
      const { js, native } = bothWays(Buffer.concat([b, Buffer.from('\n' + base + '\n')]));
      expect(native).toEqual(js);
    }), { numRuns: 1000 });
  });
});
