// `file` backend: the object layout and gzip bodies in a local directory; a re-send overwrites the same name.
// With `fsync` (the default), a batch is accepted only once its bytes and its name are on stable storage.
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Backend, CheckResult, OutgoingBatch, SendResult } from './types.js';

export interface FileBackendOptions {
  outputDir: string;
  /** Flush each object and the directories naming it to disk before it counts as accepted. */
  fsync: boolean;
  /** Each object's file mode (AFLO_OUTPUT_MODE, default 0640). */
  mode?: number;
}

/**
 * Flushes a directory's entries (a name made or renamed in it) to disk. Some file systems cannot flush a directory
 * (EINVAL, EBADF, as PostgreSQL allows for): there the name is as durable as that file system makes it.
 */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await fh.close();
  }
}

const { O_WRONLY, O_CREAT, O_TRUNC, O_DSYNC } = constants;

/** Writes `body` to a new file; with `fsync`, each write returns once its data is on disk (O_DSYNC: no extra call). */
async function writeObject(tmp: string, body: Buffer, fsync: boolean, mode: number): Promise<void> {
  const fh = await open(tmp, O_WRONLY | O_CREAT | O_TRUNC | (fsync ? O_DSYNC : 0), mode);
  try {
    // Exactly the mode asked for (AFLO_OUTPUT_MODE), whatever the process umask.
    await fh.chmod(mode);
    await fh.writeFile(body);
  } finally {
    await fh.close();
  }
}

/**
 * Directory flushes shared by the sends under way (a group commit): a caller whose rename is done waits for a flush
 * that starts after it, and every rename done before that flush starts is covered by it.
 */
class DirSyncs {
  private readonly dirs = new Map<string, { running?: Promise<void>; next?: Promise<void> }>();

  sync(dir: string): Promise<void> {
    let d = this.dirs.get(dir);
    if (!d) this.dirs.set(dir, (d = {}));
    const state = d;
    if (state.next) return state.next;
    const start = (): Promise<void> => {
      const p = syncDir(dir).finally(() => {
        if (state.running === p) state.running = undefined;
        if (!state.running && !state.next) this.dirs.delete(dir);
      });
      state.running = p;
      return p;
    };
    if (!state.running) return start();
    // A flush is under way that may have started before this rename: the next one, after it, covers this caller.
    const next = state.running.catch(() => undefined).then(() => {
      state.next = undefined;
      return start();
    });
    state.next = next;
    return next;
  }
}

/** Temporary files a killed process left under the output directory (`<object>.tmp-<random>`): never objects. */
async function removeTemporaries(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (e.isFile() && /\.json\.gz\.tmp-[0-9a-f]+$/.test(e.name)) await rm(join(e.parentPath ?? dir, e.name), { force: true }).catch(() => undefined);
  }
}

export function fileBackend(opts: FileBackendOptions): Backend {
  const { outputDir, fsync } = opts;
  const mode = opts.mode ?? 0o640;
  /** The directory the last batch went to: batches of the same minute share it, so it is made once (a failure forgets it). */
  let made = '';
  const dirSyncs = new DirSyncs();
  /** The output directory as `join` writes it (no trailing slash): where the flushing of parents stops. */
  const root = dirname(join(outputDir, 'x'));
  return {
    type: 'file',
    async send(batch: OutgoingBatch): Promise<SendResult> {
      const path = join(outputDir, batch.key);
      const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
      try {
        const dir = dirname(path);
        if (dir !== made) {
          await mkdir(dir, { recursive: true });
          // The directories under the output directory are named in their parents: those entries are flushed too
          // (whichever send made them, and again after a failure, when `made` is forgotten).
          if (fsync) for (let d = dir; d.length > root.length; d = dirname(d)) await dirSyncs.sync(dirname(d));
          made = dir;
        }
        await writeObject(tmp, batch.body, fsync, mode);
        await rename(tmp, path);
        if (fsync) await dirSyncs.sync(dir);
        return { kind: 'accepted' };
      } catch (err) {
        made = '';
        await rm(tmp, { force: true }).catch(() => undefined);
        return { kind: 'retry', reason: `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
      }
    },
    async check(): Promise<CheckResult> {
      try {
        await mkdir(outputDir, { recursive: true });
        await removeTemporaries(outputDir);
        return { ok: true };
      } catch (err) {
        return { ok: false, retryable: true, reason: `cannot create ${outputDir}: ${(err as NodeJS.ErrnoException).code}`, setting: 'AFLO_OUTPUT_DIR' };
      }
    },
    async close() {},
  };
}
