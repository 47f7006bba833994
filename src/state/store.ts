// The durable buffer: events, file checkpoints, counters and the ledger in SQLite, each change in one transaction
// (event-queue.ts numbers the events and cuts the batches); what a failed transaction changed in memory is put back.
import type { Database as Db, Statement } from 'better-sqlite3';
import { BatchOutcomes } from './batch-outcomes.js';
import { Counters, TOTAL } from './counters.js';
import { DeadLetters, type DeadLetter } from './dead-letters.js';
import { EventQueue } from './event-queue.js';
import { FileRecords } from './file-records.js';
import { Meta, type Sending } from './meta.js';
import { WriteHealth } from './write-health.js';
import { openStateDb } from './open-db.js';
import { Requests } from './requests.js';
import { SQL } from './sql.js';
import { LedgerBook } from './ledger-book.js';
import type { LedgerTable } from './ledger-table.js';
import type { AckRider, BatchBuilder, BatchRow, PieceCommit } from './store-types.js';

export { TOTAL, type CounterMap } from './counters.js';
export type { FileRecord } from './file-records.js';
export type { DeadLetter } from './dead-letters.js';
export { NOT_JSON, type AckRider, type BatchBuilder, type BatchRow, type PieceCommit } from './store-types.js';
export { isStoreError } from './write-health.js';

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
  private readonly queue: EventQueue;
  private readonly outcomes: BatchOutcomes;
  private readonly requests: Requests;
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
    const parts = { meta: this.meta, counts: this.counts, dead: this.dead, book: this.book, now };
    this.queue = new EventQueue(this.s, parts);
    this.outcomes = new BatchOutcomes({ ...parts, queue: this.queue });
    this.requests = new Requests(this.s, now);
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
    const saved = this.queue.snapshot();
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
      this.queue.restore(saved);
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
    this.queue.configureBatching(size, build);
  }

  /** Events waiting: not yet in a batch, plus those in batches not yet accepted. */
  get bufferedEvents(): number {
    return this.queue.buffered;
  }

  /**
   * Re-reads the counts from the database; `other`: this store only reads what another process writes (`status`),
   * so the sequence numbers are read again too, in the caller's transaction.
   */
  refreshBuffered(other = false): number {
    this.queue.refresh(other);
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
          this.queue.append(c.records);
        }
        this.counts.addAll(c.scope, c.counts as unknown as Record<string, number>);
        this.counts.add(TOTAL, 'produced', (c.records?.ends.length ?? 0) + c.dropped);
        this.counts.add(TOTAL, 'dropped', c.dropped);
        if (c.extra) this.counts.addAll(c.scope, c.extra);
        if (c.checkpoint) this.files.checkpoint(c.checkpoint.fileId, c.checkpoint.offset, c.checkpoint.size, c.checkpoint.marks);
        if (ride) acked = this.outcomes.accepted(ride.rows, ride.sending);
      });
    } catch (err) {
      if (ride) this.rider!.settled(false);
      throw err;
    }
    if (ride) {
      this.queue.left(acked);
      this.rider!.settled(true);
    }
    if (c.records && c.records.ends.length > 0) this.eventsAdded();
  };

  /**
   * The records waiting for a batch after the last committed piece that came with prebuilt bodies (-1: none yet):
   * what a decode thread predicts the next batches' starts from (pipeline/batch-carry.ts).
   */
  get batchCarry(): { piece: number; carry: number } {
    return this.queue.batchCarry;
  }

  unbatchedCount(): number {
    return this.queue.unbatched;
  }

  oldestUnbatchedMs(): number | undefined {
    return this.queue.oldestUnbatchedMs;
  }

  oldestBufferedMs(): number | undefined {
    return this.queue.oldestMs();
  }

  /** Cuts up to `max` waiting events into a batch (the flush interval passed, or shutdown). */
  cutBatch(max: number, build: BatchBuilder): number | undefined {
    if (this.queue.unbatched === 0) return undefined;
    return this.atomically(() => this.queue.cutNow(max, build));
  }

  /** How many batches this store has written so far (it only grows). */
  get batchesMade(): number {
    return this.queue.batchesMade;
  }

  /** The oldest batches not yet accepted, leaving out `busy` ones (being sent): their bodies are not read again. */
  pendingBatches(limit: number, busy: Iterable<number> = []): BatchRow[] {
    return this.queue.pendingBatches(limit, busy);
  }

  pendingBatchTotals(): { batches: number; events: number } {
    return this.queue.batchTotals();
  }

  /** The backend this run sends with, for `status` (the settings may name another by the time it is read). */
  recordBackend(type: string): void {
    this.atomically(() => { this.meta.backend = type; });
  }

  /** The backend took these batches: their events leave the buffer and count as accepted. */
  ackBatches(batches: BatchRow[], sending?: Sending): void {
    const n = this.atomically(() => this.outcomes.accepted(batches, sending));
    // Counted once committed: a failed commit leaves every batch, and the count, as they were.
    this.queue.left(n);
  }

  /** Ledger hours before `hourlyFromMs` are summed into days (AFLO_LEDGER_HOURLY_DAYS); days before `keepFromMs` go. */
  compactLedger(hourlyFromMs: number, keepFromMs: number): void {
    this.atomically(() => this.book.table.compact(hourlyFromMs, keepFromMs));
  }

  /** A new run's backoff starts afresh: failures of an earlier run (a blip before a restart) do not slow it. */
  restartBackoff(): void {
    this.queue.restartBackoff();
  }

  batchFailed(batchId: number, reason: string): void {
    this.atomically(() => {
      this.queue.batchFailed(batchId, reason);
      this.meta.lastError = { at: this.now(), reason };
    });
  }

  /** Replaces a batch by one batch per group of its records, each with its own recorded body. */
  splitBatch(batch: BatchRow, groups: Buffer[][], build: BatchBuilder): void {
    this.atomically(() => this.outcomes.split(batch, groups, build));
  }

  /** The backend refuses these events for good (`records`, read from the batch's body): they move to the dead-letter table. */
  deadLetterBatch(batch: BatchRow, records: Buffer[], status: number | null, reason: string): number {
    const moved = this.atomically(() => this.outcomes.deadLettered(batch, records, status, reason));
    // Counted once committed, as for accepted batches.
    this.queue.left(batch.event_count);
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
    return this.atomically(() => this.outcomes.replayed());
  }

  /** From another process: asks the owner of the state to replay the dead letters; its answer is `requestResult`. */
  requestReplay(): number {
    return this.requests.ask('replay');
  }

  /** How many events a served request replayed, or undefined while it waits. */
  requestResult(id: number): number | undefined {
    return this.requests.result(id);
  }

  /** The owner's side: serves every waiting request, each in the transaction that carries it out. */
  serveRequests(): number {
    let replayed = 0;
    for (const r of this.requests.open()) {
      replayed += this.atomically(() => {
        const n = r.kind === 'replay' ? this.outcomes.replayed() : 0;
        this.requests.finish(r.id, n);
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
