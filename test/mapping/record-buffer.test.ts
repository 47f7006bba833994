// RecordBuffer writes numbers as String() does, whatever their size (the integer fast path included).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordBuffer } from '../../src/mapping/record-buffer.js';

const written = (n: number) => {
  const b = new RecordBuffer(8);
  b.number(n);
  return b.bytes().toString('latin1');
};

describe('RecordBuffer.number', () => {
  it('writes every non-negative safe integer and every finite double as String() does', () => {
    const top = fc.integer({ min: Number.MAX_SAFE_INTEGER - 100, max: Number.MAX_SAFE_INTEGER });
    fc.assert(fc.property(fc.oneof(fc.nat(), fc.maxSafeNat(), top, fc.double({ noNaN: true })), (n) => {
      expect(written(n)).toBe(String(n));
    }), { numRuns: 2000 });
    // 48 + n is not exact up here: the digit must be worked out before the character code is added.
    expect(written(9007199254740989)).toBe('9007199254740989');
  });
});
