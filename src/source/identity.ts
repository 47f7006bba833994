// File identity: a hash of the first KiB (short files: device + inode), and finding a file's checkpoint by it.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { FileRecord, Store } from '../state/store.js';

export const HEAD_BYTES = 1024;
/** A head at least this long (a whole LiteLLM line is longer) identifies a short file on any inode, e.g. its copy. */
export const MIN_SHARED_HEAD = 64;

export interface Head { len: number; hash: string }

export async function readHead(handle: FileHandle, len: number): Promise<Head> {
  const buf = Buffer.alloc(Math.min(len, HEAD_BYTES));
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return { len: got, hash: createHash('sha256').update(buf.subarray(0, got)).digest('hex') };
}

export interface FoundFile { path: string; dev: string; ino: string; size: number; handle: FileHandle }

/**
 * The checkpoint record for a newly seen file (delivery.md §2): by head hash, device + inode as tie-breaker,
 * short files by device + inode with their head as check; a record another open file already reads is forked.
 */
export async function resolveCheckpoint(
  store: Store, f: FoundFile, inUse: ReadonlySet<number>, startAtEnd: boolean,
): Promise<{ record: FileRecord; head: Head; resumed: boolean }> {
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
  const short = [...store.files.shortFiles(HEAD_BYTES, MIN_SHARED_HEAD, f.size), ...store.files.filesByInode(f.dev, f.ino)];
  const seen = new Set<number>();
  for (const r of short) {
    if (seen.has(r.id) || r.head_len >= HEAD_BYTES || r.head_len > f.size) continue;
    seen.add(r.id);
    if ((await prefixHash(r.head_len)) === r.head_hash) candidates.push(r);
  }
  const usable = candidates.filter((r) => r.offset <= f.size);
  // The longest matching head is the strongest evidence; device + inode breaks ties (delivery.md §2).
  usable.sort((a, b) => b.head_len - a.head_len || rank(b, f) - rank(a, f) || b.offset - a.offset);
  const best = usable[0];
  const base = { path: f.path, dev: f.dev, ino: f.ino, head_len: head.len, head_hash: head.hash, size: f.size };
  if (best && !inUse.has(best.id)) {
    const record = { ...best, ...base };
    store.files.updateFile(record);
    return { record, head, resumed: true };
  }
  const offset = best ? best.offset : startAtEnd ? f.size : 0;
  const id = store.files.insertFile({ ...base, offset });
  return { record: { id, ...base, offset, updated_ms: 0 }, head, resumed: best !== undefined };
}

function rank(r: FileRecord, f: FoundFile): number {
  return r.dev === f.dev && r.ino === f.ino ? 1 : 0;
}
