// Compressed rotations (logrotate's `compress`): a gzip file is decompressed into the state directory and read as the
// file it was, so it resumes at that file's checkpoint in the decompressed bytes; streamed, never held in memory.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Store } from '../state/store.js';

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
  /** Read to its end before (known by device + inode + compressed size). */
  | { kind: 'done' }
  | ({ kind: 'failed' } & GunzipFailure);

/** Gets a gzip file ready to be read: decompressed into `spool`, unless it was read to its end before. */
export async function prepareGzip(store: Store, path: string, f: { dev: string; ino: string; size: number }, spool: string): Promise<GzipPrepared> {
  if (store.files.filesByInode(f.dev, f.ino).some((r) => r.gz === f.size)) return { kind: 'done' };
  const temp = join(spool, `${f.dev}-${f.ino}.log`);
  const done = await gunzipTo(path, temp);
  if (done !== true) return { kind: 'failed', ...done };
  return { kind: 'read', handle: await open(temp, 'r'), temp };
}
