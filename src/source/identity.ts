// File identity: a hash of the first KiB (short files: device + inode) and marks up to the checkpoint; finding a newly
// seen file's checkpoint by them, and telling when a file is a copy (still being written) of one already read.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { FileRecord, Store } from '../state/store.js';
import { advanceMarks, marksMatch, parseMarks } from './marks.js';

export const HEAD_BYTES = 1024;
/** A head at least this long (a whole LiteLLM line is longer) identifies a short file on any inode, e.g. its copy. */
export const MIN_SHARED_HEAD = 64;

export interface Head { len: number; hash: string; bytes: Buffer }

export async function readHead(handle: FileHandle, len: number): Promise<Head> {
  const buf = Buffer.alloc(Math.min(len, HEAD_BYTES));
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  const bytes = buf.subarray(0, got);
  return { len: got, hash: createHash('sha256').update(bytes).digest('hex'), bytes };
}

export interface FoundFile { path: string; dev: string; ino: string; size: number; handle: FileHandle }

/**
 * Where a newly seen file stands: a checkpoint record to read on from (resumed, or new); `copyOf`: its bytes are, as
 * far as they go, bytes already read from a known file (a copy still being written, a rotated copy shorter than the
 * checkpoint): nothing in it is new yet; `waitFor`: it is a copy of a file still open and read (copytruncate before
 * the truncate, a compressed rotation before the original is removed): one of the two is read, never both, so it
 * waits until that file is read to its end (and takes its place) or is truncated (and resumes where it stopped).
 */
export type Resolved = { record: FileRecord; head: Head; resumed: boolean } | { copyOf: FileRecord } | { waitFor: FileRecord };

/**
 * The checkpoint record for a newly seen file: a record whose head (and, when it has them, marks) the file holds.
 * The longest matching head is the strongest evidence; device + inode breaks ties. A record is resumed only where
 * the file holds the same bytes at every mark up to its checkpoint, so a file that only shares a long banner with
 * another, or was rewritten in place, starts from 0.
 */
export async function resolveCheckpoint(
  store: Store, f: FoundFile, inUse: ReadonlySet<number>, startAtEnd: boolean, now: number,
  /** The record another open file reads, which has read all it holds: this file goes on from there as its own. */
  forkOf?: number,
): Promise<Resolved> {
  const head = await readHead(f.handle, f.size);
  const candidates: FileRecord[] = [];
  if (head.len === HEAD_BYTES) candidates.push(...store.files.filesWithHead(head.hash));
  const prefixes = new Map<number, string>([[head.len, head.hash]]);
  const prefixHash = async (len: number) => {
    let h = prefixes.get(len);
    if (h === undefined) prefixes.set(len, (h = (await readHead(f.handle, len)).hash));
    return h;
  };
  // Short heads: on the same inode any length; on another inode (a copy) only when long enough to be telling.
  const short = [...store.files.shortFiles(HEAD_BYTES, MIN_SHARED_HEAD, head.bytes), ...store.files.filesByInode(f.dev, f.ino)];
  const seen = new Set<number>(candidates.map((r) => r.id));
  for (const r of short) {
    if (seen.has(r.id) || r.head_len >= HEAD_BYTES || r.head_len > f.size) continue;
    seen.add(r.id);
    if ((await prefixHash(r.head_len)) === r.head_hash) candidates.push(r);
  }
  // The file holds the same bytes wherever a record's marks reach into it.
  const same = candidates.filter((r) => marksMatch(f.handle.fd, parseMarks(r.marks), f.size));
  const usable = same.filter((r) => r.offset <= f.size);
  usable.sort((a, b) => b.head_len - a.head_len || rank(b, f) - rank(a, f) || b.offset - a.offset);
  const best = usable[0];
  const base = { path: f.path, dev: f.dev, ino: f.ino, head_len: head.len, head_hash: head.hash, head: head.bytes, size: f.size };
  /** A record of its own for this file, at `offset`, going on from `from`'s marks and first-seen time. */
  const insert = (offset: number, from?: FileRecord): Resolved => {
    const marks = JSON.stringify(advanceMarks(f.handle.fd, from ? parseMarks(from.marks) : [], offset) ?? []);
    const first = from?.first_seen_ms ?? now;
    const id = store.files.insertFile({ ...base, offset, marks, first_seen_ms: first });
    return { record: { id, ...base, offset, marks, updated_ms: 0, first_seen_ms: first }, head, resumed: from !== undefined };
  };
  if (best && inUse.has(best.id) && best.id !== forkOf) return { waitFor: best };
  if (best && best.id === forkOf) return insert(best.offset, best);
  if (best) {
    // A record of an older version has no first-seen time: it gets one now, kept from then on.
    const record = { ...best, ...base, first_seen_ms: best.first_seen_ms ?? now };
    store.files.updateFile(record);
    return { record, head, resumed: true };
  }
  // Shorter than a checkpoint it matches, or than a head it begins: a copy being written, or a rotated copy whose
  // every byte was read before (from the original). Starting it at 0 would send those entries again.
  const ahead = same.find((r) => r.offset > f.size) ?? (head.len < HEAD_BYTES ? store.files.filesWithHeadPrefix(head.bytes)[0] : undefined);
  if (ahead) return { copyOf: ahead };
  return insert(startAtEnd ? f.size : 0);
}

function rank(r: FileRecord, f: FoundFile): number {
  return r.dev === f.dev && r.ino === f.ino ? 1 : 0;
}
