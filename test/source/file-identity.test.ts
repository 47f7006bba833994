// A checkpoint's marks are those of the bytes its events were read from: a file truncated (copytruncate) or
// rewritten between the read and the commit still leaves dense marks, so that another file starting with the same
// banner is never taken for a copy of it (and left unread).
import { closeSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileRecord } from '../../src/state/store.js';
import { FileIdentity } from '../../src/source/file-identity.js';
import { advanceMarks, marksMatch, parseMarks, windowsOf } from '../../src/source/marks.js';
import { slpLine, tempDir } from '../helpers.js';

const dir = tempDir();
afterAll(() => dir.remove());
const BANNER = Array.from({ length: 30 }, (_, i) => `INFO: proxy starting, worker ${i % 4} (${i})`).join('\n') + '\n';
const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => slpLine(`${prefix}-${i}`)).join('\n') + '\n';
const record = (): FileRecord => ({ id: 1, path: 'x', dev: '1', ino: '2', head_len: 1024, head_hash: 'h', offset: 0, size: 0, updated_ms: 0, head: null, marks: '[]', first_seen_ms: 0 });

describe('file identity', () => {
  it('marks a checkpoint from the bytes read even when the file was truncated before the commit', () => {
    const path = join(dir.path, 'app.log');
    const text = Buffer.from(BANNER + lines('a', 12));
    writeFileSync(path, text);
    const fd = openSync(path, 'r');
    try {
      const id = new FileIdentity(record());
      // The banner is committed first, then the entries are read in two pieces...
      const bannerEnd = Buffer.byteLength(BANNER);
      id.read(fd, 0, text.subarray(0, bannerEnd));
      id.propose(fd, 0, bannerEnd);
      id.accept();
      id.read(fd, bannerEnd, text.subarray(bannerEnd, 9000));
      id.read(fd, 9000, text.subarray(9000));
      // ...and the writer truncates the file (copytruncate) before they are committed.
      truncateSync(path, 0);
      const marks = parseMarks(id.propose(fd, bannerEnd, text.length));
      expect(marks.map(([end]) => end)).toEqual(advanceMarks(openFd(text), [], text.length)!.map(([end]) => end));
      expect(marks).toEqual(advanceMarks(openFd(text), [], text.length));
      // Another file with the same banner and other entries is not this file.
      const other = Buffer.from(BANNER + lines('b', 5));
      expect(marksMatch(openFd(other), marks, other.length)).toBe(false);
    } finally {
      closeSync(fd);
    }
  });

  it('hashes windows across pieces as the file holds them, however it is cut', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 40_000 }), fc.array(fc.nat(), { maxLength: 6 }), (data, cuts) => {
      const bytes = Buffer.from(data);
      const at = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b).filter((c) => c > 0);
      const seen = new Map<number, string>();
      let before = Buffer.alloc(0);
      let from = 0;
      for (const to of [...at, bytes.length]) {
        const piece = bytes.subarray(from, to);
        for (const [end, h] of windowsOf(from, piece, before)) seen.set(end, h);
        before = bytes.subarray(Math.max(0, to - 1024), to);
        from = to;
      }
      const fd = openFd(bytes);
      for (const [end, h] of advanceMarks(fd, [], bytes.length)!) expect(seen.get(end)).toBe(h);
    }), { numRuns: 200 });
  });
});

let n = 0;
const fds: number[] = [];
afterAll(() => fds.forEach((fd) => closeSync(fd)));
function openFd(bytes: Buffer): number {
  const path = join(dir.path, `copy-${n++}`);
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  fds.push(fd);
  return fd;
}
