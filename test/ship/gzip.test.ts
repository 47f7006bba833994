// The addon's gzip (one deflate state per thread, reset for each body) writes what zlib.gzipSync writes, byte for
// byte, whatever the input, level and order of calls: a body cut inline or in a decode thread has the same name.
import fc from 'fast-check';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { fastMapAddon } from '../../src/mapping/fast-mapper.js';
import { BodySink, gzipBody } from '../../src/ship/gzip.js';

const addon = fastMapAddon();
const records = fc.array(fc.record({ id: fc.string(), v: fc.double({ noNaN: true }), m: fc.constantFrom('gpt-4o', 'claude', 'x'.repeat(300)) }), { maxLength: 400 })
  .map((rs) => new Uint8Array(Buffer.from(JSON.stringify(rs))));
const input = fc.oneof(fc.uint8Array({ maxLength: 70_000 }), records);

it('is built (npm ci compiles it) and answers as zlib.gzipSync does', () => {
  expect(addon?.gzip).toBeTypeOf('function');
  fc.assert(fc.property(fc.array(fc.tuple(input, fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 6 }), (calls) => {
    for (const [data, level] of calls) {
      const ours = addon!.gzip(data, level)!;
      expect(ours.equals(gzipSync(data, { level }))).toBe(true);
      expect(gunzipSync(ours).equals(Buffer.from(data))).toBe(true);
    }
  }), { numRuns: 120 });
});

it('a body larger than the memory it keeps, then a small one', () => {
  const big = Buffer.alloc(3 << 20, 'abcdefgh');
  expect(gzipBody(big, 1).equals(gzipSync(big, { level: 1 }))).toBe(true);
  expect(gzipBody(Buffer.from('[]'), 1).equals(gzipSync(Buffer.from('[]'), { level: 1 }))).toBe(true);
});

it('refuses a level zlib does not have (zlib.gzipSync then says which)', () => {
  expect(addon!.gzip(Buffer.from('x'), 12)).toBeUndefined();
  expect(() => gzipBody(Buffer.from('x'), 12)).toThrow(RangeError);
});

it('writes bodies back to back into one piece of memory, growing it, each as zlib.gzipSync writes it', () => {
  fc.assert(fc.property(fc.array(fc.tuple(input, fc.boolean()), { minLength: 1, maxLength: 8 }), (bodies) => {
    const sink = new BodySink(16);
    const kept: Buffer[] = [];
    for (const [data, forget] of bodies) {
      const mark = sink.length;
      const body = sink.gzip(data, 1);
      expect(body.equals(gzipSync(data, { level: 1 }))).toBe(true);
      if (forget) sink.length = mark;
      else kept.push(Buffer.from(body));
    }
    expect(Buffer.from(sink.bytes).equals(Buffer.concat(kept))).toBe(true);
  }), { numRuns: 60 });
});
