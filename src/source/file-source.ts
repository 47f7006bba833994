// Discovery and following of log files: rescans the globs, detects rotation and truncation, reads each file by offset.
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import { emptyCounts } from '../entries/counts.js';
import type { Decoder } from '../pipeline/decode-pool.js';
import type { IngestOptions } from '../pipeline/ingest.js';
import type { Wakeup } from '../ship/signal.js';
import { isStoreError, type Store } from '../state/store.js';
import { discover } from './discovery.js';
import { isGzip, prepareGzip } from './gzip-input.js';
import { InputProblems } from './input-problems.js';
import { resolveCheckpoint } from './identity.js';
import { TrackedFile, type ReadOutcome, type RoomWait } from './tracked-file.js';

export interface FileSourceOptions {
  patterns: string[];
  pollMs: number;
  readFrom: 'beginning' | 'end';
  /** How long a rotated-away or deleted file is still read before it is closed. */
  rotateWaitMs: number;
  maxLineBytes: number;
  ingest: IngestOptions;
  /** Where pieces are parsed and mapped, and how many of a file's pieces are under way at once. */
  decoder: Decoder;
  decodeDepth: number;
  /** Bytes read at a time (tests make it small to cut entries across pieces). */
  pieceBytes?: number;
  /** Bytes a file is read at most per round before the next file's turn (tests make it small). */
  roundBudget?: number;
  /** Where gzip files are decompressed to be read (in the state directory); without it they are not read. */
  spoolDir?: string;
  log: Logger;
  now: () => number;
}

const ROUND_BUDGET = 16 << 20;
/** How often reading is tried again while the state database cannot be written. */
const STORE_RETRY_MS = 1000;
const PRUNE_EVERY_MS = 3_600_000;
/** Checkpoints of files not seen for a week are forgotten (as Filebeat's clean_inactive). */
const FORGET_AFTER_MS = 7 * 86_400_000;

export class FileSource {
  private readonly tracked = new Map<string, TrackedFile>();
  private firstScan = true;
  private lastScan = -Infinity;
  private lastPrune = -Infinity;
  /**
   * Files with nothing to read as they are now, by device:inode, with their size and time when looked at: copies of
   * files already read (`of`), gzip files read to their end or still being written. Looked at again when they change.
   */
  private readonly settled = new Map<string, { look: string; of?: number }>();
  /** Inputs that could not be read at the last scan. */
  readonly problems: InputProblems;

  constructor(private readonly store: Store, private readonly opts: FileSourceOptions) {
    this.problems = new InputProblems(opts.log);
  }

  get files(): TrackedFile[] {
    return [...this.tracked.values()];
  }

  /** Finds new, renamed, truncated and vanished files. */
  async scan(): Promise<void> {
    this.lastScan = this.opts.now();
    const problems = this.problems;
    const seen = new Set<string>();
    for (const { path, key, size } of await discover(this.opts.patterns, problems)) {
      seen.add(key);
      const known = this.tracked.get(key);
      if (known?.compressed) continue;
      if (known) {
        if (known.path !== path) this.opts.log.info({ from: known.path, to: path }, 'file renamed');
        known.record.path = path;
        known.detachedAt = undefined;
        if (size >= known.readPosition && (size === known.size || !(await known.headChanged()))) {
          known.size = Math.max(known.size, size);
          continue;
        }
        await this.truncated(key, known, size);
      }
      const opened = await this.track(path, key);
      if (opened !== true) problems.note(path, 'unreadable', opened);
    }
    problems.settle();
    for (const key of this.settled.keys()) if (!seen.has(key)) this.settled.delete(key);
    for (const [key, tf] of this.tracked) {
      if (seen.has(key) || tf.detachedAt !== undefined) continue;
      tf.detachedAt = this.opts.now();
      this.opts.log.info({ path: tf.path, offset: tf.readPosition }, 'file rotated away or removed; reading it to its end');
    }
    this.firstScan = false;
    if (this.opts.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = this.opts.now();
      this.store.files.pruneFiles(FORGET_AFTER_MS, [...this.tracked.values()].map((t) => t.id));
    }
  }

  private async truncated(key: string, tf: TrackedFile, size: number): Promise<void> {
    const gap = Math.max(0, tf.size - tf.readPosition);
    this.store.commitChunk({
      scope: `file:${tf.id}`, dropped: 0, counts: emptyCounts(),
      extra: { truncations: 1, gap_bytes: gap },
    });
    this.opts.log.warn({ path: tf.path, offset: tf.readPosition, size, gap_bytes: gap }, 'file truncated; reading it again from the start');
    await tf.close();
    this.tracked.delete(key);
  }

  /** Opens and follows a newly seen file: true, or the error code it could not be opened with. */
  private async track(path: string, key: string): Promise<true | string> {
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
    // Nothing new in it since it was last looked at (a copy of a known file, a gzip file read or still being written).
    const look = `${st.size}:${st.mtimeNs}`;
    if (this.settled.get(key)?.look === look) { await handle.close(); return true; }
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
    const g = await prepareGzip(this.store, f.path, f, inUse, this.opts.spoolDir);
    if (g.kind === 'wait') return true;
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

  /** Follows an open file from its checkpoint, unless it is a copy of bytes already read. */
  private async resume(found: { path: string; dev: string; ino: string; size: number; handle: FileHandle }, key: string, look: string,
    inUse: Set<number>): Promise<true> {
    const { handle, path } = found;
    const resolved = await resolveCheckpoint(this.store, found, inUse, this.firstScan && this.opts.readFrom === 'end');
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

  /** Reads every file a round; 'blocked' when the buffer is full, 'more' when a file has more than a round's budget. */
  async readRound(final: boolean, waitForRoom?: RoomWait): Promise<ReadOutcome> {
    let more = false;
    for (const [key, tf] of this.tracked) {
      const retiring = !tf.compressed && tf.detachedAt !== undefined && this.opts.now() - tf.detachedAt >= this.opts.rotateWaitMs;
      const whole = tf.compressed !== undefined;
      const out = await tf.read(this.store, this.opts.ingest, this.opts.roundBudget ?? ROUND_BUDGET, final || retiring || whole, waitForRoom);
      if (out === 'blocked') return 'blocked';
      if (out === 'truncated') {
        await this.truncated(key, tf, tf.size);
        this.lastScan = -Infinity;
        more = true;
        continue;
      }
      if (out === 'more') more = true;
      else if (tf.compressed) {
        const c = tf.compressed;
        this.store.files.gzipRead(tf.id, c);
        this.opts.log.info({ path: c.path, offset: tf.checkpoint }, 'compressed file read to its end');
        await tf.close();
        await rm(c.temp, { force: true });
        this.tracked.delete(key);
        this.settled.set(key, { look: c.look });
      } else if (retiring) {
        this.opts.log.info({ path: tf.path, offset: tf.checkpoint }, 'rotated file read to its end; closed');
        await tf.close();
        this.tracked.delete(key);
      }
    }
    return more ? 'more' : 'eof';
  }

  /** Follow mode: until `signal` aborts. `waitForRoom` resolves when the buffer may have room again. */
  async follow(signal: AbortSignal, wake: Wakeup, waitForRoom: RoomWait): Promise<void> {
    while (!signal.aborted) {
      const out = await this.unlessStoreFails(signal, wake, async () => {
        if (this.opts.now() - this.lastScan >= this.opts.pollMs) await this.scan();
        return this.readRound(false, waitForRoom);
      });
      if (signal.aborted) break;
      if (out === 'blocked') await waitForRoom(0);
      else if (out === 'eof') await wake.wait(this.opts.pollMs, signal);
      else await new Promise((r) => setImmediate(r));
    }
  }

  /** Catch-up: every matched file read to its end once. */
  async once(signal: AbortSignal, waitForRoom: RoomWait, wake: Wakeup): Promise<void> {
    let scanned = false;
    while (!signal.aborted) {
      const out = await this.unlessStoreFails(signal, wake, async () => {
        if (!scanned || this.lastScan === -Infinity) {
          await this.scan();
          scanned = true;
        }
        return this.readRound(true, waitForRoom);
      });
      if (out === 'eof' && this.lastScan !== -Infinity) return;
      if (out === 'blocked') await waitForRoom(0);
    }
  }

  /**
   * Runs a round; when the state database cannot be written (full disk, a lock held past the busy timeout), nothing
   * was committed and nothing changed in memory: reading pauses and the round is tried again (the store says why).
   */
  private async unlessStoreFails(signal: AbortSignal, wake: Wakeup, round: () => Promise<ReadOutcome>): Promise<ReadOutcome | 'paused'> {
    try {
      return await round();
    } catch (err) {
      if (!isStoreError(err)) throw err;
      this.lastScan = -Infinity;
      await wake.wait(STORE_RETRY_MS, signal);
      return 'paused';
    }
  }

  async close(): Promise<void> {
    for (const tf of this.tracked.values()) {
      await tf.close();
      if (tf.compressed) await rm(tf.compressed.temp, { force: true });
    }
    this.tracked.clear();
  }
}
