// The durable buffer: events, file checkpoints and counters in SQLite, each change in one transaction.
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EntryCounts } from '../entries/counts.js';
import { migrate } from './migrations.js';
import { SQL } from './sql.js';

export interface FileRecord {
  id: number; path: string; dev: string; ino: string; head_len: number; head_hash: string; offset: number; size: number; updated_ms: number;
}
export interface BatchRow { id: number; key: string; body: Buffer; event_count: number; attempts: number }
export interface EventRow { id: number; record: string; time_ms: number }
export interface DeadLetter { id: number; record: string; time_ms: number; status: number | null; reason: string; created_ms: number }

/** What one read chunk commits at once: its events, its counts, and where the source now stands. */
export interface ChunkCommit {
  scope: string;
  records: string[];
  times: number[];
  dropped: number;
  counts: EntryCounts;
  checkpoint?: { fileId: number; offset: number; size: number };
  extra?: Record<string, number>;
}

export type CounterMap = Record<string, Record<string, number>>;
type Stmts = { [K in keyof typeof SQL]: Statement };

export const TOTAL = '';

export class Store {
  readonly db: Db;
  private readonly s: Stmts;
  private buffered: number;
  /** Called after a commit that added events (the flusher listens). */
  onEvents?: () => void;

  private constructor(db: Db, private readonly now: () => number) {
    this.db = db;
    this.s = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, db.prepare(sql)])) as Stmts;
    this.buffered = (this.s.bufferedCount.get() as { n: number }).n;
  }

  /** Opens (creating and migrating) the state database; `readonly` for `status` while a daemon runs. */
  static open(stateDir: string, now: () => number, opts: { readonly?: boolean } = {}): Store {
    if (!opts.readonly) mkdirSync(stateDir, { recursive: true });
    const db = new Database(join(stateDir, 'state.db'), { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db);
    }
    return new Store(db, now);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get bufferedEvents(): number {
    return this.buffered;
  }

  /** Re-reads the buffered count (another process, `dlq replay`, may have added events). */
  refreshBuffered(): number {
    this.buffered = (this.s.bufferedCount.get() as { n: number }).n;
    return this.buffered;
  }

  private add(scope: string, name: string, value: number): void {
    if (value !== 0) this.s.addCounter.run(scope, name, value);
  }

  private addCounts(scope: string, counts: Record<string, number>): void {
    for (const [name, value] of Object.entries(counts)) {
      this.add(TOTAL, name, value);
      if (scope !== TOTAL) this.add(scope, name, value);
    }
  }

  readonly commitChunk = (c: ChunkCommit): void => {
    this.db.transaction(() => {
      const created = this.now();
      for (let i = 0; i < c.records.length; i++) this.s.insertEvent.run(c.records[i], c.times[i], created);
      this.addCounts(c.scope, c.counts as unknown as Record<string, number>);
      this.add(TOTAL, 'produced', c.records.length + c.dropped);
      this.add(TOTAL, 'dropped', c.dropped);
      if (c.extra) this.addCounts(c.scope, c.extra);
      if (c.checkpoint) this.s.checkpoint.run(c.checkpoint.offset, c.checkpoint.size, created, c.checkpoint.fileId);
    })();
    this.buffered += c.records.length;
    if (c.records.length > 0) this.onEvents?.();
  };

  unbatchedCount(): number {
    return (this.s.unbatchedCount.get() as { n: number }).n;
  }

  oldestUnbatchedMs(): number | undefined {
    return (this.s.oldestUnbatched.get() as { t: number | null }).t ?? undefined;
  }

  oldestBuffered(): { eventMs?: number; createdMs?: number } {
    const r = this.s.oldestBuffered.get() as { t: number | null; c: number | null };
    return { eventMs: r.t ?? undefined, createdMs: r.c ?? undefined };
  }

  /** Cuts the oldest unbatched events (at most `max`) into a recorded batch; `build` makes its key and body once. */
  cutBatch(max: number, build: (events: EventRow[]) => { key: string; body: Buffer }): number | undefined {
    return this.db.transaction(() => {
      const events = this.s.takeUnbatched.all(max) as EventRow[];
      if (events.length === 0) return undefined;
      const { key, body } = build(events);
      const id = Number(this.s.insertBatch.run(key, body, events.length, this.now()).lastInsertRowid);
      this.s.assignBatch.run(id, events[events.length - 1].id);
      return id;
    })();
  }

  pendingBatches(limit: number): BatchRow[] {
    return this.s.pendingBatches.all(limit) as BatchRow[];
  }

  pendingBatchTotals(): { batches: number; events: number } {
    const r = this.s.pendingBatchCount.get() as { n: number; events: number };
    return { batches: r.n, events: r.events };
  }

  batchEvents(batchId: number): EventRow[] {
    return this.s.batchEvents.all(batchId) as EventRow[];
  }

  /** The backend took the batch: its events leave the buffer and count as accepted. */
  ackBatch(batchId: number): number {
    const n = this.db.transaction(() => {
      const removed = this.s.deleteBatchEvents.run(batchId).changes;
      this.s.deleteBatch.run(batchId);
      this.add(TOTAL, 'accepted', removed);
      this.s.setMeta.run('last_success', String(this.now()));
      return removed;
    })();
    this.buffered -= n;
    return n;
  }

  batchFailed(batchId: number, reason: string): void {
    this.db.transaction(() => {
      this.s.batchFailed.run(reason, batchId);
      this.s.setMeta.run('last_error', JSON.stringify({ at: this.now(), reason }));
    })();
  }

  /** Replaces a batch by batches of the given event groups, each with its own recorded body. */
  splitBatch(batchId: number, groups: EventRow[][], build: (events: EventRow[]) => { key: string; body: Buffer }): void {
    this.db.transaction(() => {
      this.s.deleteBatch.run(batchId);
      for (const group of groups) {
        const { key, body } = build(group);
        const id = Number(this.s.insertBatch.run(key, body, group.length, this.now()).lastInsertRowid);
        for (const e of group) this.s.assignBatchIds.run(id, e.id);
      }
    })();
  }

  /** The backend refuses these events for good: they move to the dead-letter table with the answer. */
  deadLetterBatch(batchId: number, status: number | null, reason: string): number {
    const n = this.db.transaction(() => {
      const events = this.s.batchEvents.all(batchId) as EventRow[];
      for (const e of events) this.s.insertDeadLetter.run(e.record, e.time_ms, status, reason, this.now());
      this.s.deleteBatchEvents.run(batchId);
      this.s.deleteBatch.run(batchId);
      this.add(TOTAL, 'dead_lettered', events.length);
      this.s.setMeta.run('last_error', JSON.stringify({ at: this.now(), reason, status }));
      return events.length;
    })();
    this.buffered -= n;
    return n;
  }

  deadLetters(): DeadLetter[] {
    return this.s.deadLetters.all() as DeadLetter[];
  }

  /** Puts dead letters back into the buffer to be batched and sent again. */
  replayDeadLetters(): number {
    const n = this.db.transaction(() => {
      const rows = this.deadLetters();
      for (const r of rows) {
        this.s.insertEvent.run(r.record, r.time_ms, this.now());
        this.s.deleteDeadLetter.run(r.id);
      }
      this.add(TOTAL, 'dead_lettered', -rows.length);
      return rows.length;
    })();
    this.buffered += n;
    return n;
  }

  counters(): CounterMap {
    const out: CounterMap = {};
    for (const r of this.s.counters.all() as { scope: string; name: string; value: number }[]) {
      (out[r.scope] ??= {})[r.name] = r.value;
    }
    return out;
  }

  deadLetterCount(): number {
    return (this.s.deadLetterCount.get() as { n: number }).n;
  }

  getMeta(key: string): string | undefined {
    return (this.s.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.s.setMeta.run(key, value);
  }

  // --- file checkpoints -------------------------------------------------------------------------

  filesWithHead(hash: string): FileRecord[] {
    return this.s.filesWithHead.all(hash) as FileRecord[];
  }

  filesByInode(dev: string, ino: string): FileRecord[] {
    return this.s.filesByInode.all(dev, ino) as FileRecord[];
  }

  /** Records whose head is shorter than `full` but at least `min` bytes and fits in `size`. */
  shortFiles(full: number, min: number, size: number): FileRecord[] {
    return this.s.shortFiles.all(full, min, size) as FileRecord[];
  }

  allFiles(): FileRecord[] {
    return this.s.allFiles.all() as FileRecord[];
  }

  insertFile(f: Omit<FileRecord, 'id' | 'updated_ms'>): number {
    return Number(this.s.insertFile.run(f.path, f.dev, f.ino, f.head_len, f.head_hash, f.offset, f.size, this.now()).lastInsertRowid);
  }

  updateFile(f: Omit<FileRecord, 'updated_ms'>): void {
    this.s.updateFile.run(f.path, f.dev, f.ino, f.head_len, f.head_hash, f.offset, f.size, this.now(), f.id);
  }

  /** Forgets checkpoints of files not seen for `olderThanMs`, except those in use. */
  pruneFiles(olderThanMs: number, inUse: number[]): void {
    this.s.pruneFiles.run(this.now() - olderThanMs, JSON.stringify(inUse));
  }
}
