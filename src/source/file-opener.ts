// Opening a newly seen file as a followed one: its checkpoint resolved (or found to be a copy of bytes already read),
// a gzip file decompressed to be read as the file it was, and the open files kept under AFLO_MAX_OPEN_FILES.
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { Store } from '../state/store.js';
import type { FileSourceOptions } from './file-source.js';
import { isGzip, prepareGzip } from './gzip-input.js';
import { resolveCheckpoint } from './identity.js';
import { keepOpenAtMost } from './open-limit.js';
import { TrackedFile } from './tracked-file.js';

export class FileOpener {
  /** A file found at the last scan waits to be opened (AFLO_MAX_OPEN_FILES reached by files being read). */
  waiting = false;
  /** Set while the first scan runs (AFLO_READ_FROM=end applies to the files found then). */
  firstScan = true;
  /**
   * Files with nothing to read as they are now, by device:inode, with their size and time when looked at: copies of
   * files already read (`of`), gzip files read to their end or still being written. Looked at again when they change.
   */
  private readonly settled = new Map<string, { look: string; of?: number; waitingOn?: { id: number; at: number } }>();

  constructor(private readonly store: Store, private readonly opts: FileSourceOptions, private readonly tracked: Map<string, TrackedFile>) {}

  /** A file seen at `look` (size:mtime) that has nothing to read as it is. */
  settle(key: string, look: string): void {
    this.settled.set(key, { look });
  }

  /** Forgets what it knew of files no longer found. */
  forget(seen: ReadonlySet<string>): void {
    for (const key of this.settled.keys()) if (!seen.has(key)) this.settled.delete(key);
  }

  private holderOf(id: number): TrackedFile | undefined {
    for (const tf of this.tracked.values()) if (tf.id === id) return tf;
    return undefined;
  }

  /** Whether the followed file with checkpoint record `id` is as it was when a copy began to wait for it. */
  private holds(id: number, at: number): boolean {
    const tf = this.holderOf(id);
    return tf !== undefined && tf.checkpoint === at && !tf.atRest;
  }

  /** Stops following a removed file read to its end: a copy of it takes its place. */
  private async retire(tf: TrackedFile): Promise<void> {
    for (const [key, t] of this.tracked) {
      if (t !== tf) continue;
      await tf.close();
      this.tracked.delete(key);
      this.settled.set(key, { look: tf.look, of: tf.id });
    }
  }

  /** Room to open one more file under AFLO_MAX_OPEN_FILES; when none, the file waits for a scan after a read round. */
  async roomToOpen(): Promise<boolean> {
    if (await keepOpenAtMost(this.tracked.values(), this.opts.maxOpenFiles ?? Infinity, 1)) return true;
    this.waiting = true;
    return false;
  }

  /** Opens and follows a newly seen file: true, or the error code it could not be opened with. */
  async track(path: string, key: string): Promise<true | string> {
    if (!(await this.roomToOpen())) return true;
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      return code === 'ENOENT' ? true : code;
    }
    const st = await handle.stat({ bigint: true });
    // Replaced between the scan's stat and this open: the next scan sees the new file.
    if (`${st.dev}:${st.ino}` !== key) { await handle.close(); return true; }
    // Nothing new in it since it was last looked at (a copy of a known file, a gzip file read or still being written,
    // or one waiting for the file it was compressed from to be read to its end).
    const look = `${st.size}:${st.mtimeNs}`;
    const known = this.settled.get(key);
    if (known?.look === look && (known.waitingOn === undefined || this.holds(known.waitingOn.id, known.waitingOn.at))) {
      await handle.close();
      return true;
    }
    const inUse = new Set([...this.tracked.values()].map((t) => t.id));
    const found = { path, dev: String(st.dev), ino: String(st.ino), size: Number(st.size), handle };
    const magic = Buffer.alloc(2);
    await handle.read(magic, 0, 2, 0);
    if (isGzip(magic)) {
      await handle.close();
      return this.trackGzip(found, key, look, inUse);
    }
    return this.resume(found, key, look, inUse);
  }

  /** A gzip file: decompressed and read as the file it was (resumed at its checkpoint), then remembered as read. */
  private async trackGzip(f: { path: string; dev: string; ino: string; size: number }, key: string, look: string, inUse: Set<number>): Promise<true | string> {
    if (this.opts.spoolDir === undefined) return 'gzip (not read without a state directory)';
    const g = await prepareGzip(this.store, f.path, f, this.opts.spoolDir);
    if (g.kind === 'failed' && g.failed === 'corrupt') return `not gzip data (${g.code})`;
    if (g.kind !== 'read') {
      this.settled.set(key, { look });
      return true;
    }
    const st = await g.handle.stat({ bigint: true });
    const found = { path: f.path, dev: String(st.dev), ino: String(st.ino), size: Number(st.size), handle: g.handle };
    const tracked = await this.resume(found, key, look, inUse);
    const tf = this.tracked.get(key);
    if (tf) tf.compressed = { ...f, temp: g.temp, look };
    else await rm(g.temp, { force: true });
    return tracked;
  }

  /** Follows an open file from its checkpoint, unless it is a copy of bytes already read (or must wait). */
  private async resume(found: { path: string; dev: string; ino: string; size: number; handle: FileHandle }, key: string, look: string,
    inUse: Set<number>): Promise<true> {
    const { handle, path } = found;
    const startAtEnd = this.firstScan && this.opts.readFrom === 'end';
    let resolved = await resolveCheckpoint(this.store, found, inUse, startAtEnd, this.opts.now());
    if ('waitFor' in resolved) {
      // A copy of a file still open (copied or compressed from it), or a file sharing all that one has read so far
      // (a banner). While that one has bytes left to read, this one waits (a copytruncate's copy-window lines are
      // only there). Once it has read all it holds: removed (a compressed rotation), this one takes its place; at
      // its path, this one goes on from the same offset as a file of its own (what it holds beyond is its own).
      const id = resolved.waitFor.id;
      const holder = this.holderOf(id);
      if (holder && !(await holder.readAll())) {
        await handle.close();
        this.settled.set(key, { look, waitingOn: { id, at: holder.checkpoint } });
        this.waiting = true;
        return true;
      }
      const forkOf = holder && holder.detachedAt === undefined ? id : undefined;
      if (forkOf === undefined) {
        if (holder) await this.retire(holder);
        inUse.delete(id);
      }
      resolved = await resolveCheckpoint(this.store, found, inUse, startAtEnd, this.opts.now(), forkOf);
      if ('waitFor' in resolved) { await handle.close(); return true; }
    }
    if ('copyOf' in resolved) {
      await handle.close();
      if (this.settled.get(key)?.of !== resolved.copyOf.id) {
        this.opts.log.info({ path, size: found.size, copy_of: resolved.copyOf.path, offset: resolved.copyOf.offset },
          'file holds only bytes already read from another file (a copy); it is read once it grows past them');
      }
      this.settled.set(key, { look, of: resolved.copyOf.id });
      return true;
    }
    this.settled.delete(key);
    const { record, resumed } = resolved;
    this.tracked.set(key, new TrackedFile(record, handle, this.opts.maxLineBytes, this.opts.decoder, this.opts.decodeDepth, this.opts.pieceBytes));
    this.opts.log.info({ path, offset: record.offset, size: found.size, resumed }, 'file found');
    return true;
  }

}
