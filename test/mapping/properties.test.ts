// Property tests: token conservation, dimension hygiene, byte-identical output, and no throw on any bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryReader } from '../../src/entries/reader.js';
import { mapEntry } from '../../src/mapping/map-entry.js';
import { MAPPING } from '../helpers.js';

const ORIGIN = { sourceId: 's', start: 0, index: 0, fallbackTimeMs: 1 };
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const small = fc.integer({ min: 0, max: 5000 });

/** A usage object whose parts fit inside its totals, the way providers report them. */
const usage = fc.record({
  completion: small, reasoning: maybe(small), audioOut: maybe(small), imageOut: maybe(small),
  prompt: small, audioIn: maybe(small), imageIn: maybe(small), reads: maybe(small), writes: maybe(small),
  anthropic: fc.boolean(), cacheHit: fc.boolean(),
});

describe('token conservation (docs/mapping.md §3)', () => {
  it('in events add up to prompt_tokens (+ cache in the Anthropic case), out events to completion_tokens', () => {
    fc.assert(fc.property(usage, (u) => {
      const outParts = (u.reasoning ?? 0) + (u.audioOut ?? 0) + (u.imageOut ?? 0);
      const completion = u.completion + outParts;
      const cache = (u.reads ?? 0) + (u.writes ?? 0);
      const media = (u.audioIn ?? 0) + (u.imageIn ?? 0);
      const prompt = u.anthropic ? u.prompt + media : u.prompt + media + cache;
      const slp = {
        id: 'x', call_type: 'acompletion', cache_hit: u.cacheHit, startTime: 1, endTime: 2,
        metadata: { usage_object: {
          prompt_tokens: prompt, completion_tokens: completion,
          prompt_tokens_details: { audio_tokens: u.audioIn, image_tokens: u.imageIn, cached_tokens: u.reads, cache_creation_tokens: u.writes },
          completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: u.audioOut, image_tokens: u.imageOut },
        } },
      };
      const events = mapEntry(slp, MAPPING, ORIGIN).events;
      const sum = (type: string) => events
        .filter((e) => !Array.isArray(e.dimensions) && e.dimensions.type === type)
        .reduce((a, e) => a + e.meterValue, 0);
      const anthropicCase = u.anthropic && cache > u.prompt;
      expect(sum('in')).toBe(anthropicCase ? prompt + cache : prompt);
      expect(sum('out')).toBe(completion);
      for (const e of events) expect(e.meterValue).toBeGreaterThan(0);
    }), { numRuns: 500 });
  });
});

const anyValue = fc.oneof(fc.string({ maxLength: 300 }), fc.constant(''), fc.constant('None'), fc.constant(null),
  fc.integer(), fc.double(), fc.constant(undefined), fc.string({ minLength: 201, maxLength: 400 }));

const looseSlp = fc.record({
  id: anyValue, request_id: anyValue, call_type: anyValue, status: fc.constantFrom('success', 'failure', undefined),
  custom_llm_provider: anyValue, model: anyValue, user: anyValue, end_user: anyValue, api_base: anyValue,
  startTime: anyValue, endTime: anyValue, prompt_tokens: anyValue, completion_tokens: anyValue, cache_hit: anyValue,
  metadata: fc.record({ user_api_key_alias: anyValue, user_api_key_team_id: anyValue, user_api_key_team_alias: anyValue,
    user_api_key_auth_metadata: fc.record({ business_unit_id: anyValue }),
    usage_object: fc.record({ prompt_tokens: anyValue, completion_tokens: anyValue }) }),
  model_map_information: fc.record({ model_map_key: anyValue }),
  error_information: fc.record({ error_code: anyValue }),
});

describe('mapper invariants', () => {
  it('no usage dimension is null, empty or over 200 characters; every value is a finite number', () => {
    fc.assert(fc.property(looseSlp, fc.boolean(), (slp, meta) => {
      const r = mapEntry(slp as Record<string, unknown>, { ...MAPPING, sendObjectMetadata: meta }, ORIGIN);
      for (const e of r.events) {
        expect(Number.isFinite(e.meterValue)).toBe(true);
        expect(Number.isInteger(e.meterTimeInMillis)).toBe(true);
        // An object metadata event's dimensions are the object itself (a team's name is null without an alias).
        expect(Array.isArray(e.dimensions)).toBe(false);
        if (e.meterApiName === 'aflo.object_metadata') continue;
        for (const v of Object.values(e.dimensions)) {
          expect(typeof v).toBe('string');
          expect(v.length).toBeGreaterThan(0);
          expect(v.length).toBeLessThanOrEqual(200);
        }
      }
    }), { numRuns: 500 });
  });

  it('the same input always gives byte-identical output', () => {
    fc.assert(fc.property(looseSlp, (slp) => {
      const a = JSON.stringify(mapEntry(structuredClone(slp) as Record<string, unknown>, MAPPING, ORIGIN));
      const b = JSON.stringify(mapEntry(structuredClone(slp) as Record<string, unknown>, MAPPING, ORIGIN));
      expect(a).toBe(b);
    }), { numRuns: 300 });
  });
});

describe('robustness', () => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }),
    fc.array(fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', '\n', '\r', 'NaN', '"id":"a"', '"call_type":"x"', '"prompt_tokens":1', ' ', 'a'), { maxLength: 300 })
      .map((parts) => Buffer.from(parts.join(''))),
  );
  it('no input of arbitrary bytes makes the reader or mapper throw, and every byte is accounted for', () => {
    fc.assert(fc.property(fc.array(bytes, { maxLength: 5 }), fc.integer({ min: 16, max: 4096 }), (chunks, max) => {
      const reader = new EntryReader(max);
      let lastEnd = 0;
      const sink = {
        entry: (slp: Record<string, unknown>, start: number, end: number, index: number) => {
          mapEntry(slp, { ...MAPPING, sendObjectMetadata: true }, { ...ORIGIN, start, index });
          expect(end).toBeGreaterThanOrEqual(lastEnd);
          lastEnd = end;
        },
        skip: (_r: string, _s: number, end: number) => {
          expect(end).toBeGreaterThanOrEqual(lastEnd);
          lastEnd = end;
        },
      };
      for (const c of chunks) reader.push(Buffer.from(c), sink);
      reader.finish(sink, true);
      const total = chunks.reduce((a, c) => a + c.length, 0);
      expect(reader.safeOffset).toBe(total);
    }), { numRuns: 1000 });
  });
});
