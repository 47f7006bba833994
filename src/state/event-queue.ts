// Events in order: each gets a sequence number, full batches are cut from them (gzip bodies) in the transaction that
// commits them, and only the remainder waits as raw records in a segment row, so each event is written once,
// compactly. Owns the segment and batch rows; keeps the numbers in memory (put back by `restore` when a transaction
// rolls back). Its changes run inside the store's transactions.
import type { Statement } from 'better-sqlite3';
import { TOTAL, type Counters } from './counters.js';
import type { DeadLetters } from './dead-letters.js';
import type { LedgerBook } from './ledger-book.js';
import type { Meta } from './meta.js';
import { PendingRecords, type PendingSnapshot } from './pending-records.js';
import { slabOf, slabRange, type Slab } from './slab.js';
import { NOT_JSON, type BatchBuilder, type BatchRow } from './store-types.js';
import type { Tally } from '../ledger/totals.js';

type Stmts = { insertSegment: Statement; dropSegments: Statement; segmentsAfter: Statement; oldestSegment: Statement; insertBatch: Statement;
  deleteBatch: Statement; pendingBatches: Statement; pendingBatchCount: Statement; oldestBatch: Statement; batchFailed: Statement;
  restartBackoff: Statement };

export interface QueueSnapshot { nextSeq: number; cursor: number; inBatches: number; made: number; pending: PendingSnapshot }

export interface QueueParts { meta: Meta; counts: Counters; dead: DeadLetters; book: LedgerBook; now: () => number }

export class EventQueue {
  /** Sequence number the next event gets. */
  private nextSeq: number;
  /** Events numbered above this are in no batch yet; their records are in `pending`, in order. */
  private cursor: number;
  private readonly pending = new PendingRecords();
  private carried?: { piece: number; carry: number };
  private inBatches: number;
  /** Batches written (cut or split): a reader that saw them all can tell there is nothing new. */
  private made = 0;
  private batching?: { size: number; build: BatchBuilder };

  constructor(private readonly s: Stmts, private readonly p: QueueParts) {
    this.cursor = p.meta.cutCursor;
    this.nextSeq = p.meta.nextSeq;
    this.inBatches = this.batchTotals().events;
    for (const row of s.segmentsAfter.all(this.cursor) as { first_seq: number; records: Buffer; created_ms: number }[]) {
      const slab = slabOf(row.records);
      const skip = Math.max(0, this.cursor + 1 - row.first_seq);
      this.pending.push(skip === 0 ? slab : slabRange(slab, skip, slab.ends.length), row.created_ms);
    }
  }

  snapshot(): QueueSnapshot {
    return { nextSeq: this.nextSeq, cursor: this.cursor, inBatches: this.inBatches, made: this.made, pending: this.pending.snapshot() };
  }

  restore(q: QueueSnapshot): void {
    Object.assign(this, { nextSeq: q.nextSeq, cursor: q.cursor, inBatches: q.inBatches, made: q.made });
    this.pending.restore(q.pending);
  }

  configureBatching(size: number, build: BatchBuilder): void {
    this.batching = { size, build };
  }

  /** Events waiting: not yet in a batch, plus those in batches not yet accepted. */
  get buffered(): number {
    return this.nextSeq - 1 - this.cursor + this.inBatches;
  }

  /** Re-reads the counts from the database; `other`: the sequence numbers too (another process writes them). */
  refresh(other: boolean): void {
    if (other) {
      this.cursor = this.p.meta.cutCursor;
      this.nextSeq = this.p.meta.nextSeq;
    }
    this.inBatches = this.batchTotals().events;
  }

  batchTotals(): { batches: number; events: number } {
    const r = this.s.pendingBatchCount.get() as { n: number; events: number };
    return { batches: r.n, events: r.events };
  }

  /** Events of accepted or dead-lettered batches left the buffer (once their transaction committed). */
  left(n: number): void {
    this.inBatches -= n;
  }

  get unbatched(): number {
    return this.pending.count;
  }

  get oldestUnbatchedMs(): number | undefined {
    return this.pending.oldestMs;
  }

  get batchesMade(): number {
    return this.made;
  }

  /** See Store.batchCarry. */
  get batchCarry(): { piece: number; carry: number } {
    return this.carried ?? { piece: -1, carry: this.pending.count };
  }

  /** Numbers the records, cuts every full batch, and keeps the rest as a segment. */
  append(records: Slab): void {
    const { data, ends } = records;
    const first = this.nextSeq;
    this.pending.push(records, this.p.now());
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
      this.s.insertSegment.run(first + from, this.nextSeq - 1, data.subarray(from === 0 ? 0 : ends[from - 1]), this.p.now());
    }
    this.p.meta.nextSeq = this.nextSeq;
  }

  /** Cuts up to `max` waiting events into one batch now (the flush interval passed, or shutdown). */
  cutNow(max: number, build: BatchBuilder): number | undefined {
    const id = this.cut(Math.min(max, this.pending.count), build);
    this.cutDone();
    return id;
  }

  private cut(n: number, build: BatchBuilder): number | undefined {
    const parts = this.pending.take(n);
    const { key, body, refused = [] } = build(parts);
    const lo = this.cursor + 1;
    this.cursor += n;
    for (const r of refused) this.p.dead.add(r, null, NOT_JSON);
    this.p.counts.add(TOTAL, 'dead_lettered', refused.length);
    const totals = this.p.book.cut(parts, refused);
    const kept = n - refused.length;
    if (kept === 0) return undefined;
    const id = this.insertBatch(lo, this.cursor, key, body, kept, totals);
    this.inBatches += kept;
    return id;
  }

  /** After the cuts of a transaction: segments wholly in batches go, and the cut cursor is stored. */
  private cutDone(): void {
    this.s.dropSegments.run(this.cursor);
    this.p.meta.cutCursor = this.cursor;
  }

  /** A batch row for events `lo`..`hi` (already counted in the buffer when it replaces another). */
  insertBatch(lo: number, hi: number, key: string, body: Buffer, events: number, totals: Tally): number {
    const id = Number(this.s.insertBatch.run(lo, hi, key, body, events, this.p.now()).lastInsertRowid);
    this.p.book.batchMade(id, totals);
    this.made++;
    return id;
  }

  dropBatch(id: number): void {
    this.s.deleteBatch.run(id);
    this.p.book.batchGone(id);
  }

  /** The oldest batches not yet accepted, leaving out `busy` ones (being sent). */
  pendingBatches(limit: number, busy: Iterable<number>): BatchRow[] {
    return this.s.pendingBatches.all(JSON.stringify([...busy]), limit) as BatchRow[];
  }

  batchFailed(id: number, reason: string): void {
    this.s.batchFailed.run(reason, id);
  }

  restartBackoff(): void {
    this.s.restartBackoff.run();
  }

  /** When the oldest event still buffered was committed. */
  oldestMs(): number | undefined {
    const b = (this.s.oldestBatch.get() as { t: number | null }).t;
    const s = (this.s.oldestSegment.get() as { created_ms: number } | undefined)?.created_ms;
    return b === null ? s : s === undefined ? b : Math.min(b, s);
  }
}
