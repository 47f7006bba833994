// The one owner of batches: when the buffer's events are cut into one (full, due, or all at a drain), how a batch
// is built (batch-body.ts) and split, and what its records are. The store keeps them; the flusher sends them.
import { recordTime, slabRecord, type Slab } from '../state/slab.js';
import { isStoreError, type BatchRow, type Store } from '../state/store.js';
import { bodyRecords, buildBatch, objectKey, type BuiltBatch } from './batch-body.js';
import { prebuiltFor } from './prebuilt.js';

export interface BatchingOptions {
  batchSize: number;
  /** A partial batch is cut once its oldest event has waited this long. */
  flushIntervalMs: number;
  /** A full buffer is cut at once, whatever the interval, so that reading can go on. */
  maxBufferSize: number;
  /** Object key prefix (AFLO_PATH). */
  prefix: string;
  now: () => number;
}

export class Batching {
  /** Batches whose body a decode thread made ahead (ship/prebuilt.ts). */
  prebuiltUsed = 0;

  constructor(private readonly store: Store, private readonly o: BatchingOptions) {
    // Full batches are cut in the transaction that commits their events.
    store.configureBatching(o.batchSize, (parts) => this.build(parts));
  }

  /** `parts` hold at least one record (a batch is never empty); named by the time of its first event. */
  build(parts: Slab[]): BuiltBatch {
    const time = recordTime(slabRecord(parts[0], 0));
    // Made ahead by a decode thread of exactly these bytes, with the same function (the common case of one file).
    const pre = prebuiltFor(parts);
    if (pre) {
      this.prebuiltUsed++;
      return { key: objectKey(this.o.prefix, time, pre.id), body: pre.body };
    }
    return buildBatch(parts, time, this.o.prefix);
  }

  /** The records of a batch, from its body. */
  records(row: BatchRow): Buffer[] {
    return bodyRecords(row.body);
  }

  /** Replaces a refused batch by its two halves, each built and recorded. */
  split(row: BatchRow, records: Buffer[]): void {
    const half = Math.ceil(records.length / 2);
    this.store.splitBatch(row, [records.slice(0, half), records.slice(half)], (parts) => this.build(parts));
  }

  /** Cuts full batches; with `all`, or once the oldest event has waited the flush interval, partial ones too. */
  cutDue(all: boolean): void {
    for (;;) {
      const waiting = this.store.unbatchedCount();
      if (waiting === 0) return;
      const oldest = this.store.oldestUnbatchedMs() ?? this.o.now();
      const due = all || this.o.now() - oldest >= this.o.flushIntervalMs || this.store.bufferedEvents >= this.o.maxBufferSize;
      if (waiting < this.o.batchSize && !due) return;
      try {
        this.store.cutBatch(this.o.batchSize, (parts) => this.build(parts));
      } catch (err) {
        // The state database cannot be written now (the store says so once): the events wait, cut on a later turn.
        if (isStoreError(err)) return;
        throw err;
      }
    }
  }

  /** Milliseconds until the oldest waiting event is due to be cut. */
  untilNextCut(): number {
    const oldest = this.store.oldestUnbatchedMs();
    if (oldest === undefined) return this.o.flushIntervalMs;
    return Math.max(10, oldest + this.o.flushIntervalMs - this.o.now());
  }
}
