// Compressed rotations (logrotate's `compress`): a gzip file is decompressed into the state directory and read as the
// file it was, so it resumes at that file's checkpoint in the decompressed bytes; streamed, never held in memory.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { FileRecord, Store } from '../state/store.js';
import { HEAD_BYTES } from './identity.js';

export function isGzip(firstBytes: Buffer): boolean {
  return firstBytes.length >= 2 && firstBytes[0] === 0x1f && firstBytes[1] === 0x8b;
}

/** `incomplete`: the file ends early (gzip still writing it); `corrupt`: it is not gzip data. */
export type GunzipFailure = { failed: 'incomplete' | 'corrupt'; code: string };

function failure(err: unknown): GunzipFailure {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  if (code === 'Z_BUF_ERROR') return { failed: 'incomplete', code };
  return { failed: code.startsWith('Z_') ? 'corrupt' : 'incomplete', code };
}

/** The first KiB of the decompressed bytes (less when the file is shorter). */
export async function gunzipHead(path: string): Promise<Buffer | GunzipFailure> {
  const parts: Buffer[] = [];
  let got = 0;
  const gunzip = createGunzip();
  try {
    await pipeline(createReadStream(path), gunzip, async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        parts.push(chunk);
        got += chunk.length;
        if (got >= HEAD_BYTES) break;
      }
    });
  } catch (err) {
    if (got < HEAD_BYTES) return failure(err);
  }
  return Buffer.concat(parts).subarray(0, HEAD_BYTES);
}

/** Records the decompressed file would be resumed from: those with the same first KiB, or a shorter head it begins. */
export function candidatesFor(store: Store, head: Buffer): FileRecord[] {
  const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const full = head.length === HEAD_BYTES ? store.files.filesWithHead(hash(head)) : [];
  const short = store.files.shortFiles(HEAD_BYTES, 1, head).filter((r) => r.head_hash === hash(head.subarray(0, r.head_len)));
  return [...full, ...short];
}

/** Decompresses `path` to `dest` (bounded memory; the bytes go to disk as they come). */
export async function gunzipTo(path: string, dest: string): Promise<true | GunzipFailure> {
  try {
    await pipeline(createReadStream(path), createGunzip(), createWriteStream(dest, { mode: 0o600 }));
    return true;
  } catch (err) {
    await rm(dest, { force: true });
    return failure(err);
  }
}

/** The directory decompressed files are read from; what a stopped run left there is removed. */
export async function spoolDir(stateDir: string): Promise<string> {
  const dir = join(stateDir, 'gunzip');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of await readdir(dir)) await rm(join(dir, name), { force: true });
  return dir;
}

export type GzipPrepared =
  | { kind: 'read'; handle: FileHandle; temp: string }
  /** Read to its end before (known by device + inode + compressed size), or every candidate is being read now. */
  | { kind: 'done' } | { kind: 'wait' }
  | ({ kind: 'failed' } & GunzipFailure);

/**
 * Gets a gzip file ready to be read: decompressed into `spool` unless it was read to its end before, or the file it
 * was compressed from is still open and being read (it is then looked at again at the next scan).
 */
export async function prepareGzip(
  store: Store, path: string, f: { dev: string; ino: string; size: number }, inUse: ReadonlySet<number>, spool: string,
): Promise<GzipPrepared> {
  if (store.files.filesByInode(f.dev, f.ino).some((r) => r.gz === f.size)) return { kind: 'done' };
  const head = await gunzipHead(path);
  if (!Buffer.isBuffer(head)) return { kind: 'failed', ...head };
  if (candidatesFor(store, head).some((r) => inUse.has(r.id))) return { kind: 'wait' };
  const temp = join(spool, `${f.dev}-${f.ino}.log`);
  const done = await gunzipTo(path, temp);
  if (done !== true) return { kind: 'failed', ...done };
  return { kind: 'read', handle: await open(temp, 'r'), temp };
}
