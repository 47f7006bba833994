// Marks: hashes of 1 KiB windows of the bytes a checkpoint covers, so that a file found later (a copy, a file
// sharing a long banner, a file rewritten in place) is resumed at a checkpoint only when it holds the same bytes.
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';

export const MARK_BYTES = 1024;
/** Up to here a mark ends at every KiB (a file sharing a banner with another differs within a KiB of its end). */
const DENSE_UP_TO = 16 * MARK_BYTES;
/** Past it, at every power of two: at most ~30 more, whatever the size. */
const MAX_MARK_END = 2 ** 52;

/** `[end, hash]`: the hash of the bytes `[max(0, end - 1 KiB), end)`. */
export type Mark = [number, string];

function isFixedEnd(end: number): boolean {
  return end <= DENSE_UP_TO ? end % MARK_BYTES === 0 : Number.isInteger(Math.log2(end));
}

/** The fixed ends in `(from, to]`: every KiB to 16 KiB, then powers of two. */
function fixedEnds(from: number, to: number): number[] {
  const ends: number[] = [];
  for (let e = (Math.floor(from / MARK_BYTES) + 1) * MARK_BYTES; e <= Math.min(to, DENSE_UP_TO); e += MARK_BYTES) ends.push(e);
  for (let e = 2 * DENSE_UP_TO; e <= Math.min(to, MAX_MARK_END); e *= 2) if (e > from) ends.push(e);
  return ends;
}

/** The hash of the window ending at `end` in the open file `fd`; undefined when the file no longer holds it. */
export function windowHash(fd: number, end: number, buf = Buffer.allocUnsafe(MARK_BYTES)): string | undefined {
  const len = Math.min(MARK_BYTES, end);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, end - len + got);
    if (n === 0) return undefined;
    got += n;
  }
  return createHash('sha256').update(buf.subarray(0, len)).digest('hex').slice(0, 32);
}

export function parseMarks(json: string | null | undefined): Mark[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((m): m is Mark => Array.isArray(m) && typeof m[0] === 'number' && typeof m[1] === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The marks once the checkpoint is at `offset`: the fixed ones up to it (those already made are kept, the new ones
 * taken from `known`, the hashes of the bytes as they were read, else hashed from `fd`), and one ending exactly at
 * `offset` when it can be had. Undefined when a fixed one cannot: the file no longer holds bytes never hashed.
 */
export function advanceMarks(fd: number, marks: readonly Mark[], offset: number, known?: ReadonlyMap<number, string>): Mark[] | undefined {
  const kept = marks.filter(([end]) => end <= offset && isFixedEnd(end));
  const last = kept.length > 0 ? kept[kept.length - 1][0] : 0;
  const buf = Buffer.allocUnsafe(MARK_BYTES);
  for (const end of fixedEnds(last, offset)) {
    const h = known?.get(end) ?? windowHash(fd, end, buf);
    if (h === undefined) return undefined;
    kept.push([end, h]);
  }
  if (offset > 0 && !isFixedEnd(offset)) {
    const h = known?.get(offset) ?? windowHash(fd, offset, buf);
    if (h !== undefined) kept.push([offset, h]);
  }
  return kept;
}

/**
 * Hashes of the mark windows that end within `bytes` (read at `from`), and of the one ending where they end, given
 * `before`, the bytes just before `from` (up to 1 KiB; fewer when the file was no longer there to read).
 */
export function windowsOf(from: number, bytes: Buffer, before: Buffer): Map<number, string> {
  const out = new Map<number, string>();
  const to = from + bytes.length;
  const ends = fixedEnds(from, to);
  if (to > from && ends[ends.length - 1] !== to) ends.push(to);
  for (const end of ends) {
    const start = Math.max(0, end - MARK_BYTES);
    if (start < from - before.length) continue;
    const head = start < from ? before.subarray(before.length - (from - start)) : Buffer.alloc(0);
    const body = bytes.subarray(Math.max(0, start - from), end - from);
    out.set(end, createHash('sha256').update(head).update(body).digest('hex').slice(0, 32));
  }
  return out;
}

/** Whether the open file `fd` of `size` bytes holds the same bytes at every mark that ends within it. */
export function marksMatch(fd: number, marks: readonly Mark[], size: number): boolean {
  const buf = Buffer.allocUnsafe(MARK_BYTES);
  for (const [end, hash] of marks) {
    if (end > size) continue;
    if (windowHash(fd, end, buf) !== hash) return false;
  }
  return true;
}

/** The mark at exactly `offset` (the checkpoint), if there is one. */
export function markAt(marks: readonly Mark[], offset: number): Mark | undefined {
  for (let i = marks.length - 1; i >= 0; i--) if (marks[i][0] === offset) return marks[i];
  return undefined;
}
