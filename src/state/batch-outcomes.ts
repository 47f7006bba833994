// What the backend's answers do to the buffer, inside the store's transactions: accepted batches leave it, a batch
// refused as too large is split, refused events move to the dead-letter table, and dead letters come back as new events.
import { TOTAL, type Counters } from './counters.js';
import type { DeadLetters } from './dead-letters.js';
import type { EventQueue } from './event-queue.js';
import type { LedgerBook } from './ledger-book.js';
import type { Meta, Sending } from './meta.js';
import { slabFrom } from './slab.js';
import type { BatchBuilder, BatchRow } from './store-types.js';

export interface OutcomeParts { queue: EventQueue; book: LedgerBook; counts: Counters; meta: Meta; dead: DeadLetters; now: () => number }

export class BatchOutcomes {
  constructor(private readonly p: OutcomeParts) {}

  /** Accepted batches leave the buffer; returns their events (counted out of it once the transaction commits). */
  accepted(batches: BatchRow[], sending?: Sending): number {
    let n = 0;
    for (const b of batches) {
      this.p.queue.dropBatch(b.id);
      n += b.event_count;
    }
    this.p.book.shipped(batches);
    this.p.counts.add(TOTAL, 'accepted', n);
    this.p.meta.lastSuccessMs = this.p.now();
    this.p.meta.sending = sending;
    return n;
  }

  /** Replaces a batch by one batch per group of its records, each with its own recorded body. */
  split(batch: BatchRow, groups: Buffer[][], build: BatchBuilder): void {
    this.p.queue.dropBatch(batch.id);
    // Object-metadata duplicates merged out of the body still count as events of the first part.
    let extra = batch.event_count - groups.reduce((n, g) => n + g.length, 0);
    let lo = batch.lo;
    for (const group of groups) {
      if (group.length === 0) continue;
      const { key, body } = build([slabFrom(group)]);
      this.p.queue.insertBatch(lo, lo + group.length - 1, key, body, group.length + extra, this.p.book.of(group));
      lo += group.length;
      extra = 0;
    }
  }

  /** The batch's `records` move to the dead-letter table; returns how many. */
  deadLettered(batch: BatchRow, records: Buffer[], status: number | null, reason: string): number {
    for (const r of records) this.p.dead.add(r, status, reason);
    this.p.book.dead(records);
    this.p.queue.dropBatch(batch.id);
    this.p.counts.add(TOTAL, 'dead_lettered', records.length);
    this.p.counts.add(TOTAL, 'dropped', batch.event_count - records.length);
    this.p.meta.lastError = { at: this.p.now(), reason, ...(status !== null ? { status } : {}) };
    return records.length;
  }

  /** Every dead letter goes back into the buffer as a new event; returns how many. */
  replayed(): number {
    const rows = this.p.dead.takeAll();
    const records = rows.map((r) => Buffer.from(r.record, 'utf8'));
    this.p.book.dead(records, -1);
    if (rows.length > 0) this.p.queue.append(slabFrom(records));
    this.p.counts.add(TOTAL, 'dead_lettered', -rows.length);
    return rows.length;
  }
}
