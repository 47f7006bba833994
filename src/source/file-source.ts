// Following log files: rescans the globs, detects rotation and truncation, reads each file by offset in rounds.
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import { emptyCounts } from '../entries/counts.js';
import type { Decoder } from '../pipeline/decode-pool.js';
import type { CommitOptions } from '../pipeline/commit.js';
import type { Wakeup } from '../util/waiting.js';
import { isStoreError, type Store } from '../state/store.js';
import { discover } from './discovery.js';
import { keepOpenAtMost } from './open-limit.js';
import { InputProblems } from './input-problems.js';
import { FileOpener } from './file-opener.js';
import type { ReadOutcome, RoomWait, TrackedFile } from './tracked-file.js';

export interface FileSourceOptions {
  patterns: string[];
  pollMs: number;
  readFrom: 'beginning' | 'end';
  /** How long a rotated-away or deleted file is still read before it is closed. */
  rotateWaitMs: number;
  maxLineBytes: number;
  commit: CommitOptions;
  /** Where pieces are parsed and mapped, and how many of a file's pieces are under way at once. */
  decoder: Decoder;
  decodeDepth: number;
  /** Bytes read at a time (tests make it small to cut entries across pieces). */
  pieceBytes?: number;
  /** Bytes a file is read at most per round before the next file's turn (tests make it small). */
  roundBudget?: number;
  /** Files held open at most (idle ones past it are let go and opened again when they change). */
  maxOpenFiles?: number;
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
  private lastScan = -Infinity;
  private lastPrune = -Infinity;
  private readonly opener: FileOpener;
  /** Inputs that could not be read at the last scan. */
  readonly problems: InputProblems;

  constructor(private readonly store: Store, private readonly opts: FileSourceOptions) {
    this.problems = new InputProblems(opts.log);
    this.opener = new FileOpener(store, opts, this.tracked);
  }

  get files(): TrackedFile[] {
    return [...this.tracked.values()];
  }

  /** Finds new, renamed, truncated and vanished files. */
  async scan(): Promise<void> {
    this.lastScan = this.opts.now();
    this.opener.waiting = false;
    const problems = this.problems;
    const seen = new Set<string>();
    const { found, complete } = await discover(this.opts.patterns, problems);
    for (const { path, key, size, mtimeNs } of found) {
      seen.add(key);
      const known = this.tracked.get(key);
      if (known?.compressed) continue;
      if (known && !known.isOpen) {
        // Let go while idle: opened again only when it changed (and only if it is still the same file).
        if (known.unchanged(size, mtimeNs)) { this.renamed(known, path); continue; }
        if (!(await this.opener.roomToOpen()) || !(await known.reopen(path, key))) continue;
      }
      if (known) {
        this.renamed(known, path);
        // Read at the next round only if discovery saw it change (the common idle case costs one stat a file).
        known.skipNextRead = known.unchanged(size, mtimeNs);
        if (size >= known.readPosition && (size === known.size || !(await known.headChanged()))) {
          known.size = Math.max(known.size, size);
          continue;
        }
        await this.truncated(key, known, size);
      }
      const opened = await this.opener.track(path, key);
      if (opened !== true) problems.note(path, 'unreadable', opened);
    }
    problems.settle();
    this.opener.forget(seen);
    for (const [key, tf] of this.tracked) {
      if (!complete || seen.has(key) || tf.detachedAt !== undefined) continue;
      tf.detachedAt = this.opts.now();
      this.opts.log.info({ path: tf.path, offset: tf.readPosition }, 'file rotated away or removed; reading it to its end');
    }
    this.opener.firstScan = false;
    if (this.opts.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = this.opts.now();
      this.store.files.pruneFiles(FORGET_AFTER_MS, [...this.tracked.values()].map((t) => t.id));
    }
  }

  private renamed(tf: TrackedFile, path: string): void {
    if (tf.path !== path) this.opts.log.info({ from: tf.path, to: path }, 'file renamed');
    tf.record.path = path;
    tf.detachedAt = undefined;
  }

  private async truncated(key: string, tf: TrackedFile, size: number): Promise<void> {
    const gap = Math.max(0, tf.size - tf.readPosition);
    this.store.commitPiece({
      scope: `file:${tf.id}`, dropped: 0, counts: emptyCounts(),
      extra: { truncations: 1, gap_bytes: gap },
    });
    this.opts.log.warn({ path: tf.path, offset: tf.readPosition, size, gap_bytes: gap }, 'file truncated; reading it again from the start');
    await tf.close();
    this.tracked.delete(key);
  }

  /** Reads every file a round; 'blocked' when the buffer is full, 'more' when a file has more than a round's budget. */
  async readRound(final: boolean, waitForRoom?: RoomWait): Promise<ReadOutcome> {
    let more = false;
    for (const [key, tf] of this.tracked) {
      if (tf.skipNextRead && !final) {
        tf.skipNextRead = false;
        continue;
      }
      const retiring = !tf.compressed && tf.detachedAt !== undefined && this.opts.now() - tf.detachedAt >= this.opts.rotateWaitMs;
      const whole = tf.compressed !== undefined;
      const out = await tf.read(this.store, this.opts.commit, this.opts.roundBudget ?? ROUND_BUDGET, final || retiring || whole, waitForRoom);
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
        this.opener.settle(key, c.look);
      } else if (retiring) {
        this.opts.log.info({ path: tf.path, offset: tf.checkpoint }, 'rotated file read to its end; closed');
        await tf.close();
        this.tracked.delete(key);
      }
    }
    await keepOpenAtMost(this.tracked.values(), this.opts.maxOpenFiles ?? Infinity);
    // Files that found no room to be opened: the next scan comes at once, now that read files can be let go.
    if (this.opener.waiting) this.lastScan = -Infinity;
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
