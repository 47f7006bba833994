// Marks: a copy holds every mark of its original; a file that differs anywhere in its first 16 KiB, or just before
// the checkpoint, does not.
import fc from 'fast-check';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { advanceMarks, markAt, marksMatch } from '../../src/source/marks.js';
import { tempDir } from '../helpers.js';

const dir = tempDir();
afterAll(() => dir.remove());
let n = 0;
/** Opens `bytes` as a file and hands its descriptor to `use`. */
function withFile<T>(bytes: Buffer, use: (fd: number) => T): T {
  const path = join(dir.path, `f${n++}`);
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  try { return use(fd); } finally { closeSync(fd); }
}

describe('marks', () => {
  it('are made every KiB to 16 KiB, then at powers of two, and one at the checkpoint', () => {
    const bytes = Buffer.alloc(100_000, 'x');
    const marks = withFile(bytes, (fd) => advanceMarks(fd, [], 70_001))!;
    expect(marks.map(([end]) => end)).toEqual([...Array.from({ length: 16 }, (_, i) => (i + 1) * 1024), 32768, 65536, 70_001]);
    // Advancing keeps the fixed marks and moves the one at the checkpoint.
    const next = withFile(bytes, (fd) => advanceMarks(fd, marks, 99_000))!;
    expect(next.slice(0, -1)).toEqual(marks.slice(0, -1));
    expect(markAt(next, 99_000)).toBeDefined();
    expect(markAt(next, 70_001)).toBeUndefined();
  });

  it('a copy (and a longer one) matches; a change before the last full KiB within 16 KiB, or before the checkpoint, does not', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 20_000 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (data, at, flip) => {
      const bytes = Buffer.from(data);
      const offset = bytes.length;
      const marks = withFile(bytes, (fd) => advanceMarks(fd, [], offset))!;
      expect(withFile(Buffer.concat([bytes, Buffer.from('more')]), (fd) => marksMatch(fd, marks, offset + 4))).toBe(true);
      const i = at % bytes.length;
      const changed = Buffer.from(bytes);
      changed[i] ^= flip;
      const covered = i >= offset - 1024 || i < Math.min(16 * 1024, Math.floor(offset / 1024) * 1024);
      if (covered) expect(withFile(changed, (fd) => marksMatch(fd, marks, offset))).toBe(false);
    }), { numRuns: 200 });
  });

  it('a shorter file is checked only at the marks within it', () => {
    const bytes = Buffer.alloc(5000, 'y');
    const marks = withFile(bytes, (fd) => advanceMarks(fd, [], 5000))!;
    expect(withFile(bytes.subarray(0, 2100), (fd) => marksMatch(fd, marks, 2100))).toBe(true);
    const other = Buffer.from(bytes.subarray(0, 2100));
    other[1500] = 0x41;
    expect(withFile(other, (fd) => marksMatch(fd, marks, 2100))).toBe(false);
  });
});
