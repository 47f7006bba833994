// The durable buffer: events, file checkpoints and counters in SQLite, each change in one transaction.
// Events are numbered; full batches are cut (gzip bodies) in the same transaction that commits the events,
// and only the remainder waits as raw records in a segment row, so each event is written once, compactly.
import type { Database as Db, Statement } from 'better-sqlite3';
import type { EntryCounts } from '../entries/counts.js';
import { Counters, TOTAL } from './counters.js';
import { DeadLetters, type DeadLetter } from './dead-letters.js';
import { FileRecords } from './file-records.js';
import { Meta, type Sending } from './meta.js';
import { WriteHealth } from './write-health.js';
import { openStateDb } from './open-db.js';
import { PendingRecords } from './pending-records.js';
import { slabFrom, slabOf, slabRange, type Slab } from './slab.js';
import { SQL } from './sql.js';
import { LedgerBook } from './ledger-book.js';
import type { LedgerTable } from './ledger-table.js';
import type { Tally } from '../ledger/totals.js';

export { TOTAL, type CounterMap } from './counters.js';
export type { FileRecord } from './file-records.js';
export interface BatchRow { id: number; lo: number; hi: number; key: string; body: Buffer; event_count: number; attempts: number }
export type { DeadLetter } from './dead-letters.js';
/** Makes a batch's object name and gzip body from its records (in parts, in order), once. */
export type BatchBuilder = (parts: Slab[]) => { key: string; body: Buffer; refused?: Buffer[] };

export { isStoreError } from './write-health.js';

/** Why a record that is not valid JSON never reaches a backend (it would make its whole batch unreadable). */
export const NOT_JSON = 'record is not valid JSON (a non-finite number?); left out of its batch';

/**
 * Acknowledgements waiting to be recorded (ship/ack-group.ts): they ride on the next commit of events, so that one
 * transaction (one sync to disk) carries both. `settled` says whether that transaction committed.
 */
export interface AckRider {
  take(): { rows: BatchRow[]; sending?: Sending } | undefined;
  settled(ok: boolean): void;
}

/** What one piece commits at once: its events, its counts, and where the source now stands. No view of
 *  `records` is kept: their memory may be reused once `commitPiece` returns. */
export interface PieceCommit {
  scope: string;
  records?: Slab;
  dropped: number;
  counts: EntryCounts;
  /** `marks`: JSON of the file's marks for this offset (source/marks.ts), or undefined to leave them as they are. */
  checkpoint?: { fileId: number; offset: number; size: number; marks?: string };
  extra?: Record<string, number>;
}

type Stmts = { [K in keyof typeof SQL]: Statement };

export class Store {
  private readonly db: Db;
  readonly files: FileRecords;
  readonly counts: Counters;
  /** Typed single values: the last success and error, the backend last used (sequence numbers are the store's). */
  readonly meta: Meta;
  private readonly dead: DeadLetters;
  /** What was read, shipped and dead-lettered, per hour and key (ledger/), added in this store's transactions. */
  private readonly book: LedgerBook;
  private readonly s: Stmts;
  /** Sequence number the next event gets. */
  private nextSeq: number;
  /** Events numbered above this are in no batch yet; their records are in `pending`, in order. */
  private cursor: number;
  private readonly pending = new PendingRecords();
  private carried?: { piece: number; carry: number };
  private inBatches: number;
  /** Batches this store has written (cut or split): a reader that saw them all can tell there is nothing new. */
  private made = 0;
  private batching?: { size: number; build: BatchBuilder };
  /** Called after each commit that added events (the flusher listens). */
  private readonly eventListeners: (() => void)[] = [];
  /** Whether the state database can be written now (a failed commit is retried by its caller). */
  readonly writes: WriteHealth;
  private rider?: AckRider;

  private constructor(db: Db, private readonly now: () => number) {
    this.db = db;
    this.s = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, db.prepare(sql)])) as Stmts;
    this.files = new FileRecords(db, now);
    this.counts = new Counters(this.s.addCounter, this.s.counters);
    this.meta = new Meta(this.s.getMeta, this.s.setMeta);
    this.dead = new DeadLetters(this.s, now);
    this.book = new LedgerBook(this.s);
    this.writes = new WriteHealth(now);
    this.cursor = this.meta.cutCursor;
    this.nextSeq = this.meta.nextSeq;
    this.inBatches = this.pendingBatchTotals().events;
    for (const row of this.s.segmentsAfter.all(this.cursor) as { first_seq: number; records: Buffer; created_ms: number }[]) {
      const slab = slabOf(row.records);
      const skip = Math.max(0, this.cursor + 1 - row.first_seq);
      this.pending.push(skip === 0 ? slab : slabRange(slab, skip, slab.ends.length), row.created_ms);
    }
  }

  /** Opens (creating and migrating) the state database; `readonly` for `status` while a daemon runs. */
  static open(stateDir: string, now: () => number, opts: { readonly?: boolean } = {}): Store {
    return new Store(openStateDb(stateDir, opts), now);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Runs `fn` in one transaction. If it fails (SQLITE_FULL, SQLITE_BUSY…), what it changed in memory is put back as
   * well, so memory is never ahead of the database, and the error goes to the caller (the source sees it).
   */
  private atomically<T>(fn: () => T): T {
    const saved = { nextSeq: this.nextSeq, cursor: this.cursor, inBatches: this.inBatches, made: this.made, pending: this.pending.snapshot() };
    this.book.begin();
    try {
      const out = this.db.transaction(() => {
        const r = fn();
        this.book.flush();
        return r;
      })();
      this.book.committed();
      this.writes.succeeded();
      return out;
    } catch (err) {
      Object.assign(this, { nextSeq: saved.nextSeq, cursor: saved.cursor, inBatches: saved.inBatches, made: saved.made });
      this.pending.restore(saved.pending);
      this.book.rolledBack();
      this.writes.failed(err);
      throw err;
    }
  }

  /** `fn` is called after every commit that added events. */
  onEventsAdded(fn: () => void): void {
    this.eventListeners.push(fn);
  }

  private eventsAdded(): void {
    for (const fn of this.eventListeners) fn();
  }

  /** Full batches are cut as events are committed; `build` names and compresses each once. */
  configureBatching(size: number, build: BatchBuilder): void {
    this.batching = { size, build };
  }

  /** Events waiting: not yet in a batch, plus those in batches not yet accepted. */
  get bufferedEvents(): number {
    return this.nextSeq - 1 - this.cursor + this.inBatches;
  }

  /**
   * Re-reads the counts from the database; `other`: this store only reads what another process writes (`status`),
   * so the sequence numbers are read again too, in the caller's transaction.
   */
  refreshBuffered(other = false): number {
    if (other) {
      this.cursor = this.meta.cutCursor;
      this.nextSeq = this.meta.nextSeq;
    }
    this.inBatches = this.pendingBatchTotals().events;
    return this.bufferedEvents;
  }

  /** Acknowledgements waiting to be recorded are taken from `rider` by each commit of a piece. */
  setAckRider(rider: AckRider): void {
    this.rider = rider;
  }

  readonly commitPiece = (c: PieceCommit): void => {
    const ride = this.rider?.take();
    let acked = 0;
    try {
      this.atomically(() => {
        if (c.records && c.records.ends.length > 0) {
          this.book.read(c.records);
          this.append(c.records);
        }
        this.counts.addAll(c.scope, c.counts as unknown as Record<string, number>);
        this.counts.add(TOTAL, 'produced', (c.records?.ends.length ?? 0) + c.dropped);
        this.counts.add(TOTAL, 'dropped', c.dropped);
        if (c.extra) this.counts.addAll(c.scope, c.extra);
        if (c.checkpoint) this.files.checkpoint(c.checkpoint.fileId, c.checkpoint.offset, c.checkpoint.size, c.checkpoint.marks);
        if (ride) acked = this.deleteAccepted(ride.rows, ride.sending);
      });
    } catch (err) {
      if (ride) this.rider!.settled(false);
      throw err;
    }
    if (ride) {
      this.inBatches -= acked;
      this.rider!.settled(true);
    }
    if (c.records && c.records.ends.length > 0) this.eventsAdded();
  };

  /**
   * The records waiting for a batch after the last committed piece that came with prebuilt bodies (-1: none yet):
   * what a decode thread predicts the next batches' starts from (pipeline/batch-carry.ts).
   */
  get batchCarry(): { piece: number; carry: number } {
    return this.carried ?? { piece: -1, carry: this.pending.count };
  }

  /** Numbers the records, cuts every full batch, and keeps the rest as a segment. Inside a transaction. */
  private append(records: Slab): void {
    const { data, ends } = records;
    const first = this.nextSeq;
    this.pending.push(records, this.now());
    this.nextSeq += ends.length;
    if (this.batching && this.pending.count >= this.batching.size) {
      while (this.pending.count >= this.batching.size) this.cut(this.batching.size, this.batching.build);
      this.cutDone();
    }
    if (records.built) this.carried = { piece: records.built.piece, carry: this.pending.count };
    // What waits for the next batch is copied out: the caller's record buffer is free (reused) once this returns.
    this.pending.detach(data.buffer);
    const left = Math.min(ends.length, this.nextSeq - 1 - this.cursor);
    if (left > 0) {
      const from = ends.length - left;
      this.s.insertSegment.run(first + from, this.nextSeq - 1, data.subarray(from === 0 ? 0 : ends[from - 1]), this.now());
    }
    this.meta.nextSeq = this.nextSeq;
  }

  private cut(n: number, build: BatchBuilder): number | undefined {
    const parts = this.pending.take(n);
    const { key, body, refused = [] } = build(parts);
    const lo = this.cursor + 1;
    this.cursor += n;
    for (const r of refused) this.dead.add(r, null, NOT_JSON);
    this.counts.add(TOTAL, 'dead_lettered', refused.length);
    const totals = this.book.cut(parts, refused);
    const kept = n - refused.length;
    if (kept === 0) return undefined;
    const id = this.insertBatch(lo, this.cursor, key, body, kept, totals);
    this.made++;
    this.inBatches += kept;
    return id;
  }

  /** After the cuts of a transaction: segments wholly in batches go, and the cut cursor is stored. */
  private cutDone(): void {
    this.s.dropSegments.run(this.cursor);
    this.meta.cutCursor = this.cursor;
  }

  private insertBatch(lo: number, hi: number, key: string, body: Buffer, events: number, totals: Tally): number {
    const id = Number(this.s.insertBatch.run(lo, hi, key, body, events, this.now()).lastInsertRowid);
    this.book.batchMade(id, totals);
    return id;
  }

  private dropBatch(id: number): void {
    this.s.deleteBatch.run(id);
    this.book.batchGone(id);
  }


  unbatchedCount(): number {
    return this.pending.count;
  }

  oldestUnbatchedMs(): number | undefined {
    return this.pending.oldestMs;
  }

  oldestBufferedMs(): number | undefined {
    const b = (this.s.oldestBatch.get() as { t: number | null }).t;
    const s = (this.s.oldestSegment.get() as { created_ms: number } | undefined)?.created_ms;
    return b === null ? s : s === undefined ? b : Math.min(b, s);
  }

  /** Cuts up to `max` waiting events into a batch (the flush interval passed, or shutdown). */
  cutBatch(max: number, build: BatchBuilder): number | undefined {
    if (this.pending.count === 0) return undefined;
    return this.atomically(() => {
      const id = this.cut(Math.min(max, this.pending.count), build);
      this.cutDone();
      return id;
    });
  }

  /** How many batches this store has written so far (it only grows). */
  get batchesMade(): number {
    return this.made;
  }

  /** The oldest batches not yet accepted, leaving out `busy` ones (being sent): their bodies are not read again. */
  pendingBatches(limit: number, busy: Iterable<number> = []): BatchRow[] {
    return this.s.pendingBatches.all(JSON.stringify([...busy]), limit) as BatchRow[];
  }

  pendingBatchTotals(): { batches: number; events: number } {
    const r = this.s.pendingBatchCount.get() as { n: number; events: number };
    return { batches: r.n, events: r.events };
  }

  /** The backend this run sends with, for `status` (the settings may name another by the time it is read). */
  recordBackend(type: string): void {
    this.atomically(() => { this.meta.backend = type; });
  }

  /** The backend took these batches: their events leave the buffer and count as accepted. */
  ackBatches(batches: BatchRow[], sending?: Sending): void {
    const n = this.atomically(() => this.deleteAccepted(batches, sending));
    // Counted once committed: a failed commit leaves every batch, and the count, as they were.
    this.inBatches -= n;
  }

  /** Inside a transaction: accepted batches leave the buffer; returns their events. */
  private deleteAccepted(batches: BatchRow[], sending?: Sending): number {
    let n = 0;
    for (const b of batches) {
      this.dropBatch(b.id);
      n += b.event_count;
    }
    this.book.shipped(batches);
    this.counts.add(TOTAL, 'accepted', n);
    this.meta.lastSuccessMs = this.now();
    this.meta.sending = sending;
    return n;
  }

  /** Ledger hours before `hourlyFromMs` are summed into days (AFLO_LEDGER_HOURLY_DAYS); days before `keepFromMs` go. */
  compactLedger(hourlyFromMs: number, keepFromMs: number): void {
    this.atomically(() => this.book.table.compact(hourlyFromMs, keepFromMs));
  }

  /** A new run's backoff starts afresh: failures of an earlier run (a blip before a restart) do not slow it. */
  restartBackoff(): void {
    this.s.restartBackoff.run();
  }

  batchFailed(batchId: number, reason: string): void {
    this.atomically(() => {
      this.s.batchFailed.run(reason, batchId);
      this.meta.lastError = { at: this.now(), reason };
    });
  }

  /** Replaces a batch by one batch per group of its records, each with its own recorded body. */
  splitBatch(batch: BatchRow, groups: Buffer[][], build: BatchBuilder): void {
    this.atomically(() => {
      this.dropBatch(batch.id);
      // Object-metadata duplicates merged out of the body still count as events of the first part.
      let extra = batch.event_count - groups.reduce((n, g) => n + g.length, 0);
      let lo = batch.lo;
      for (const group of groups) {
        if (group.length === 0) continue;
        const { key, body } = build([slabFrom(group)]);
        this.insertBatch(lo, lo + group.length - 1, key, body, group.length + extra, this.book.of(group));
        this.made++;
        lo += group.length;
        extra = 0;
      }
    });
  }

  /** The backend refuses these events for good (`records`, read from the batch's body): they move to the dead-letter table. */
  deadLetterBatch(batch: BatchRow, records: Buffer[], status: number | null, reason: string): number {
    const moved = this.atomically(() => {
      for (const r of records) this.dead.add(r, status, reason);
      this.book.dead(records);
      this.dropBatch(batch.id);
      this.counts.add(TOTAL, 'dead_lettered', records.length);
      this.counts.add(TOTAL, 'dropped', batch.event_count - records.length);
      this.meta.lastError = { at: this.now(), reason, ...(status !== null ? { status } : {}) };
      return records.length;
    });
    // Counted once committed, as for accepted batches.
    this.inBatches -= batch.event_count;
    return moved;
  }

  deadLetters(): DeadLetter[] {
    return this.dead.all();
  }

  /**
   * Puts dead letters back into the buffer, as new events to be batched and sent again. Only the process that holds
   * the state directory's lock may call it (it numbers events); another asks it with `requestReplay`.
   */
  replayDeadLetters(): number {
    return this.atomically(() => this.replayRows());
  }

  private replayRows(): number {
    const rows = this.dead.takeAll();
    const records = rows.map((r) => Buffer.from(r.record, 'utf8'));
    this.book.dead(records, -1);
    if (rows.length > 0) this.append(slabFrom(records));
    this.counts.add(TOTAL, 'dead_lettered', -rows.length);
    return rows.length;
  }

  /** From another process: asks the owner of the state to replay the dead letters; its answer is `requestResult`. */
  requestReplay(): number {
    return Number(this.s.insertRequest.run('replay', this.now()).lastInsertRowid);
  }

  /** How many events a served request replayed, or undefined while it waits. */
  requestResult(id: number): number | undefined {
    const r = this.s.requestResult.get(id) as { done_ms: number | null; result: number | null } | undefined;
    return r && r.done_ms !== null ? Number(r.result ?? 0) : undefined;
  }

  /** The owner's side: serves every waiting request, each in the transaction that carries it out. */
  serveRequests(): number {
    let replayed = 0;
    for (const r of this.s.openRequests.all() as { id: number; kind: string }[]) {
      replayed += this.atomically(() => {
        const n = r.kind === 'replay' ? this.replayRows() : 0;
        this.s.finishRequest.run(this.now(), n, r.id);
        return n;
      });
    }
    if (replayed > 0) this.eventsAdded();
    return replayed;
  }

  deadLetterCount(): number {
    return this.dead.count();
  }

  /** The ledger's rows, for `report` and `audit` (inside `snapshot`). */
  get ledger(): LedgerTable {
    return this.book.table;
  }

  /** Runs `fn` in one read transaction: what it reads is one snapshot, whatever another process commits meanwhile. */
  snapshot<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
