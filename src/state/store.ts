// The durable buffer: events, file checkpoints and counters in SQLite, each change in one transaction.
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EntryCounts } from '../entries/counts.js';
import { migrate } from './migrations.js';
import { RecordBuffer } from '../mapping/record-buffer.js';
import { eventsOf, lastSeq, recordTime, segmentFromBlob, type EventRow, type Segment } from './segments.js';
import { SQL } from './sql.js';

export type { EventRow };

export interface FileRecord {
  id: number; path: string; dev: string; ino: string; head_len: number; head_hash: string; offset: number; size: number; updated_ms: number;
}
export interface BatchRow { id: number; lo: number; hi: number; key: string; body: Buffer; event_count: number; attempts: number }
export interface DeadLetter { id: number; record: string; time_ms: number; status: number | null; reason: string; created_ms: number }

/** What one read chunk commits at once: its events, its counts, and where the source now stands. */
export interface ChunkCommit {
  scope: string;
  records?: RecordBuffer;
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
  /** Sequence number the next event gets. */
  private nextSeq: number;
  /** Events with a sequence number above this are not in any batch yet; a batch is a range of them. */
  private cursor: number;
  private inBatches: number;
  /** Segments this process committed that still hold unbatched events: cutting a batch then reads no SQLite. */
  private tail: Segment[] = [];
  /** Called after a commit that added events (the flusher listens). */
  onEvents?: () => void;

  private constructor(db: Db, private readonly now: () => number) {
    this.db = db;
    this.s = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, db.prepare(sql)])) as Stmts;
    this.cursor = Number(this.getMeta('cut_cursor') ?? 0);
    this.nextSeq = Number(this.getMeta('next_seq') ?? 1);
    this.inBatches = this.pendingBatchTotals().events;
  }

  /** Opens (creating and migrating) the state database; `readonly` for `status` while a daemon runs. */
  static open(stateDir: string, now: () => number, opts: { readonly?: boolean } = {}): Store {
    if (!opts.readonly) mkdirSync(stateDir, { recursive: true });
    const db = new Database(join(stateDir, 'state.db'), { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('wal_autocheckpoint = 16384');
      db.pragma('journal_size_limit = 67108864');
      migrate(db);
    }
    return new Store(db, now);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Events waiting: not yet in a batch, plus those in batches not yet accepted. */
  get bufferedEvents(): number {
    return this.nextSeq - 1 - this.cursor + this.inBatches;
  }

  /** Re-reads the counts from the database (another process, `dlq replay`, may have added events). */
  refreshBuffered(): number {
    this.cursor = Number(this.getMeta('cut_cursor') ?? 0);
    this.nextSeq = Number(this.getMeta('next_seq') ?? 1);
    this.inBatches = this.pendingBatchTotals().events;
    return this.bufferedEvents;
  }

  private appendSegment(records: RecordBuffer, created: number): void {
    if (records.count === 0) return;
    const first = this.nextSeq;
    const { data, ends } = records.snapshot();
    this.s.insertSegment.run(first, first + ends.length - 1, data, created);
    const prev = this.tail[this.tail.length - 1];
    if (this.tail.length === 0 ? first === this.cursor + 1 : lastSeq(prev) === first - 1) this.tail.push({ first, data, ends });
    this.nextSeq += ends.length;
    this.s.setMeta.run('next_seq', String(this.nextSeq));
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
      if (c.records) this.appendSegment(c.records, created);
      this.addCounts(c.scope, c.counts as unknown as Record<string, number>);
      this.add(TOTAL, 'produced', (c.records?.count ?? 0) + c.dropped);
      this.add(TOTAL, 'dropped', c.dropped);
      if (c.extra) this.addCounts(c.scope, c.extra);
      if (c.checkpoint) this.s.checkpoint.run(c.checkpoint.offset, c.checkpoint.size, created, c.checkpoint.fileId);
    })();
    if (c.records && c.records.count > 0) this.onEvents?.();
  };

  unbatchedCount(): number {
    return this.nextSeq - 1 - this.cursor;
  }

  oldestUnbatchedMs(): number | undefined {
    if (this.unbatchedCount() === 0) return undefined;
    return (this.s.segmentCreatedAt.get(this.cursor + 1) as { created_ms: number } | undefined)?.created_ms;
  }

  oldestBufferedMs(): number | undefined {
    return (this.s.oldestSegment.get() as { created_ms: number } | undefined)?.created_ms;
  }

  /** Events lo..hi (at most `max`), from the in-memory tail when it holds them all, else from SQLite. */
  private range(lo: number, hi: number, max = Infinity): EventRow[] {
    while (this.tail.length > 0 && lastSeq(this.tail[0]) <= this.cursor && lastSeq(this.tail[0]) < lo) this.tail.shift();
    const out: EventRow[] = [];
    const segments = this.tail.length > 0 && this.tail[0].first <= lo ? this.tail : this.segmentsFromDb(lo, Number.isFinite(max) ? Math.min(hi, lo + max - 1) : hi);
    for (const seg of segments) {
      if (seg.first > hi || out.length >= max) break;
      eventsOf(seg, lo, hi, out, max);
    }
    return out;
  }

  private segmentsFromDb(lo: number, hi: number): Segment[] {
    return (this.s.segmentsIn.all(lo, hi) as { first_seq: number; records: Buffer }[]).map((r) => segmentFromBlob(r.first_seq, r.records));
  }

  /** Cuts the oldest unbatched events (at most `max`) into a recorded batch; `build` makes its key and body once. */
  cutBatch(max: number, build: (events: EventRow[]) => { key: string; body: Buffer }): number | undefined {
    if (this.unbatchedCount() === 0) return undefined;
    return this.db.transaction(() => {
      const events = this.range(this.cursor + 1, this.nextSeq - 1, max);
      if (events.length === 0) return undefined;
      const id = this.insertBatch(events, build);
      this.cursor = events[events.length - 1].seq;
      this.inBatches += events.length;
      this.s.setMeta.run('cut_cursor', String(this.cursor));
      return id;
    })();
  }

  private insertBatch(events: EventRow[], build: (events: EventRow[]) => { key: string; body: Buffer }): number {
    const { key, body } = build(events);
    return Number(this.s.insertBatch.run(events[0].seq, events[events.length - 1].seq, key, body, events.length, this.now()).lastInsertRowid);
  }

  pendingBatches(limit: number): BatchRow[] {
    return this.s.pendingBatches.all(limit) as BatchRow[];
  }

  pendingBatchTotals(): { batches: number; events: number } {
    const r = this.s.pendingBatchCount.get() as { n: number; events: number };
    return { batches: r.n, events: r.events };
  }

  batchEvents(batch: { lo: number; hi: number }): EventRow[] {
    return this.range(batch.lo, batch.hi);
  }

  /** Drops a finished batch and every segment no batch and no unbatched event needs any more. */
  private finishBatch(batch: BatchRow): void {
    this.s.deleteBatch.run(batch.id);
    this.s.dropSegments.run(this.cursor);
    this.inBatches -= batch.event_count;
  }

  /** The backend took the batch: its events leave the buffer and count as accepted. */
  ackBatch(batch: BatchRow): number {
    this.db.transaction(() => {
      this.finishBatch(batch);
      this.add(TOTAL, 'accepted', batch.event_count);
      this.s.setMeta.run('last_success', String(this.now()));
    })();
    return batch.event_count;
  }

  batchFailed(batchId: number, reason: string): void {
    this.db.transaction(() => {
      this.s.batchFailed.run(reason, batchId);
      this.s.setMeta.run('last_error', JSON.stringify({ at: this.now(), reason }));
    })();
  }

  /** Replaces a batch by batches of the given contiguous event groups, each with its own recorded body. */
  splitBatch(batch: BatchRow, groups: EventRow[][], build: (events: EventRow[]) => { key: string; body: Buffer }): void {
    this.db.transaction(() => {
      this.s.deleteBatch.run(batch.id);
      for (const group of groups) if (group.length > 0) this.insertBatch(group, build);
    })();
    this.inBatches = this.pendingBatchTotals().events;
  }

  /** The backend refuses these events for good: they move to the dead-letter table with the answer. */
  deadLetterBatch(batch: BatchRow, status: number | null, reason: string): number {
    return this.db.transaction(() => {
      const events = this.batchEvents(batch);
      for (const e of events) this.s.insertDeadLetter.run(e.bytes.toString('utf8'), recordTime(e.bytes), status, reason, this.now());
      this.finishBatch(batch);
      this.add(TOTAL, 'dead_lettered', events.length);
      this.s.setMeta.run('last_error', JSON.stringify({ at: this.now(), reason, status }));
      return events.length;
    })();
  }

  deadLetters(): DeadLetter[] {
    return this.s.deadLetters.all() as DeadLetter[];
  }

  /** Puts dead letters back into the buffer to be batched and sent again. */
  replayDeadLetters(): number {
    return this.db.transaction(() => {
      const rows = this.deadLetters();
      const records = new RecordBuffer();
      for (const r of rows) {
        records.text(r.record, false);
        records.endRecord();
      }
      this.appendSegment(records, this.now());
      for (const r of rows) this.s.deleteDeadLetter.run(r.id);
      this.add(TOTAL, 'dead_lettered', -rows.length);
      return rows.length;
    })();
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

  /** A file's identity grew (it was shorter than 1 KiB); its checkpoint stays as committed. */
  updateHead(id: number, len: number, hash: string): void {
    this.s.updateHead.run(len, hash, id);
  }

  /** Forgets checkpoints of files not seen for `olderThanMs`, except those in use. */
  pruneFiles(olderThanMs: number, inUse: number[]): void {
    this.s.pruneFiles.run(this.now() - olderThanMs, JSON.stringify(inUse));
  }
}
