// A value past the largest double never becomes a bare Infinity in a record: the entry is inconsistent, the meter
// is left out, and both mappers agree (issue: one such record made whole batches unreadable).
import { describe, expect, it } from 'vitest';
import { mapEntry } from '../../src/mapping/map-entry.js';
import { decodePiece } from '../../src/pipeline/decode.js';
import { notesOf } from '../../src/mapping/entry-notes.js';
import { MAPPING, slpLine } from '../helpers.js';

const ORIGIN = { sourceId: 's', start: 0, index: 0, fallbackTimeMs: 1700000000000 };

function decodeBoth(line: string) {
  return [false, true].map((native) => decodePiece({ bytes: Buffer.from(line + '\n'), state: { lineStart: 0, skipLen: 0, acc: null }, eof: 'final',
    sourceId: 's', fallbackTimeMs: 1700000000123 }, { mapping: { ...MAPPING, native }, maxEntryBytes: 1 << 20 }));
}

describe('non-finite meter values', () => {
  const cacheHit = slpLine('inf-1', { cache_hit: true, prompt_tokens: 1.7e308,
    metadata: { usage_object: { prompt_tokens: 1.7e308, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 1.7e308, cache_creation_tokens: 1.7e308 } } } });

  it('a cache hit whose summed counts overflow leaves that meter out and marks the entry inconsistent', () => {
    const r = mapEntry(JSON.parse(cacheHit), MAPPING, ORIGIN);
    expect(r.inconsistent).toBe(true);
    for (const e of r.events) expect(Number.isFinite(e.meterValue)).toBe(true);
    expect(r.events.map((e) => e.meterApiName)).toContain('llm_requests');
    expect(r.events.some((e) => e.meterApiName === 'llm_text_tokens' && e.dimensions.type === 'in')).toBe(false);
  });

  it('the native and JavaScript mappers write the same valid JSON for it', () => {
    const [js, native] = decodeBoth(cacheHit);
    expect(native.data.toString()).toBe(js.data.toString());
    expect(notesOf(js.info[0]).inconsistent).toBe(true);
    expect(notesOf(native.info[0]).inconsistent).toBe(true);
    for (const line of js.data.toString().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(js.data.toString()).not.toContain('Infinity');
  });

  it('image pixels (width x height x n) past the largest double are left out', () => {
    const r = mapEntry(JSON.parse(slpLine('px-1', { call_type: 'image_generation', model_parameters: { size: '99999x99999', n: 1e300 } })), MAPPING, ORIGIN);
    expect(r.inconsistent).toBe(true);
    expect(r.events.some((e) => e.meterApiName === 'llm_pixels')).toBe(false);
    expect(r.events.some((e) => e.meterApiName === 'llm_requests')).toBe(true);
  });
});
