// Reading ahead on its own, over bytes in memory: pieces end at newlines and start where the last ended, long lines
// are read again larger (or cut past the limit), the budget and depth bound what is under way, a rewind starts over.
import { describe, expect, it } from 'vitest';
import type { ReaderState } from '../../src/entries/reader.js';
import type { Decoded } from '../../src/pipeline/decode.js';
import { lineStartAt, ReadAhead, type PieceSource } from '../../src/source/read-ahead.js';

/** A file of `text`; every read and every piece given to decode is recorded. */
function memory(text: string) {
  const bytes = Buffer.from(text);
  const reads: { at: number; length: number }[] = [];
  const decoded: { text: string; state: ReaderState }[] = [];
  const src: PieceSource = {
    alloc: (size) => Buffer.alloc(size),
    read: async (buf, length, at) => {
      reads.push({ at, length });
      return bytes.copy(buf, 0, at, Math.min(bytes.length, at + length));
    },
    decode: (piece, state) => {
      decoded.push({ text: piece.toString(), state });
      return Promise.resolve({} as Decoded);
    },
  };
  return { src, reads, decoded };
}

const line = (n: number, width = 10) => `${String(n).padStart(width - 1, '0')}\n`;
const lines = (count: number, width = 10) => Array.from({ length: count }, (_, i) => line(i, width)).join('');
const opts = { depth: 3, pieceBytes: 25, maxLineBytes: 1000 };
const noLimit = () => Infinity;

describe('ReadAhead', () => {
  it('reads pieces that end at a newline, each guessed to start a line where the last ended, up to its depth', async () => {
    const m = memory(lines(10));
    const ra = new ReadAhead(m.src, opts, lineStartAt(0));
    await ra.fill(1 << 20, noLimit);
    // Reads of 25 bytes over lines of 10: pieces of two lines, three under way at once.
    expect(m.decoded.map((d) => [d.text, d.state.lineStart])).toEqual([[lines(2), 0], [line(2) + line(3), 20], [line(4) + line(5), 40]]);
    expect(ra.underWay).toBe(true);
    expect(ra.next()).toMatchObject({ from: 0, to: 20 });
    await ra.fill(1 << 20, noLimit);
    expect(m.decoded).toHaveLength(4);
  });

  it('stops at the budget with pieces under way; a rewind drops them and reads again from the given state', async () => {
    const m = memory(lines(10_000));
    const ra = new ReadAhead(m.src, { depth: 8, pieceBytes: 64 << 10, maxLineBytes: 1 << 20 }, lineStartAt(0));
    const left = await ra.fill(1, noLimit);
    expect(left).toBeLessThanOrEqual(0);
    expect(m.decoded).toHaveLength(1);
    expect(ra.underWay).toBe(true);
    ra.rewind(lineStartAt(20));
    expect(ra.next()).toBeUndefined();
    await ra.fill(1, noLimit);
    expect(m.reads.at(-1)!.at).toBe(20);
    expect(m.decoded.at(-1)!.state.lineStart).toBe(20);
  });

  it('reads a line longer than a read again at twice the size until it fits, then at the usual size', async () => {
    const long = 'x'.repeat(200 << 10) + '\n';
    const m = memory(long + lines(3));
    const ra = new ReadAhead(m.src, { depth: 1, pieceBytes: 64 << 10, maxLineBytes: 1 << 20 }, lineStartAt(0));
    await ra.fill(1 << 20, noLimit);
    expect(m.reads.map((r) => r.length)).toEqual([64 << 10, 128 << 10, 256 << 10]);
    expect(m.decoded[0].text.startsWith('xxx')).toBe(true);
    expect(m.decoded[0].text.endsWith('\n')).toBe(true);
  });

  it('past the longest line it reads the rest of the line as pieces of its own, and the next start is not known', async () => {
    const m = memory('y'.repeat(300 << 10) + '\n' + lines(2));
    const ra = new ReadAhead(m.src, { depth: 4, pieceBytes: 64 << 10, maxLineBytes: 100 << 10 }, lineStartAt(0));
    await ra.fill(1 << 20, noLimit);
    // 64 KiB without a newline, then one byte past the limit: still none, so that much is a piece as it is (the
    // reader counts the line too long), and where the next piece starts depends on how the reader took it.
    expect(m.decoded).toHaveLength(1);
    expect(m.decoded[0].text).toBe('y'.repeat((100 << 10) + 1));
    ra.next();
    expect(ra.stalled).toBe(true);
  });

  it('marks the end of the file when a read comes back short', async () => {
    const m = memory(lines(2) + 'partial');
    const ra = new ReadAhead(m.src, { depth: 4, pieceBytes: 64 << 10, maxLineBytes: 1 << 20 }, lineStartAt(0));
    await ra.fill(1 << 20, noLimit);
    expect(ra.eof).toBe(true);
    expect(m.decoded.map((d) => d.text)).toEqual([lines(2)]);
  });
});
