// Acknowledgements of accepted batches, committed in groups: one transaction costs ~65 µs whatever it holds and
// each deleted batch ~3 µs, so at hundreds of answers a second one commit per answer is most of the send cost.
// A group is committed `windowMs` after its first answer, or as soon as it holds `maxRows` batches, or `maxEvents`
// events while the buffer is short of room (a reader waiting for room needs it back soon), or sooner with the next
// commit of read events, in that transaction (`take`: one sync to disk for both): a crash in between re-sends those batches byte for byte, which Amberflo drops as
// duplicates (README, "What it guarantees").
import type { AckRider, BatchRow, Store } from '../state/store.js';
import type { Sending } from '../state/meta.js';

export interface AckGroupOptions {
  windowMs: number;
  maxRows: number;
  /** Events after which the group is recorded at once while less than a quarter of the buffer is free. */
  maxEvents: number;
  /** AFLO_MAX_BUFFER_SIZE. */
  bufferSize: number;
  /** After every commit (room was made in the buffer), and after a commit that failed (`err`). */
  onCommit: (err?: unknown) => void;
  /** How sending goes now, recorded with each commit (for `status`). */
  sending?: () => Sending;
}

export class AckGroup implements AckRider {
  private rows: BatchRow[] = [];
  private events = 0;
  private timer?: ReturnType<typeof setTimeout>;
  /** Rows taken by a commit of read events, until it says how it went. */
  private riding: BatchRow[] = [];

  constructor(private readonly store: Store, private readonly opts: AckGroupOptions) {
    store.setAckRider(this);
  }

  /** Batches accepted but not yet recorded as such: not to be sent again meanwhile. */
  get ids(): number[] {
    return [...this.riding, ...this.rows].map((r) => r.id);
  }

  /** A reader waiting for room resumes once a quarter of the buffer is free (pipeline/admission.ts). */
  private roomShort(): boolean {
    return this.opts.bufferSize - this.store.bufferedEvents < this.opts.bufferSize / 4;
  }

  /** The group, to be recorded in another commit's transaction (the store's commit of a piece). */
  take(): { rows: BatchRow[]; sending?: Sending } | undefined {
    if (this.rows.length === 0) return undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.riding = this.rows;
    this.rows = [];
    this.events = 0;
    return { rows: this.riding, sending: this.opts.sending?.() };
  }

  /** How the transaction that took the group went: if it failed, its rows wait for the next commit again. */
  settled(ok: boolean): void {
    const rows = this.riding;
    this.riding = [];
    if (ok) return this.opts.onCommit();
    for (const r of rows.reverse()) this.rows.unshift(r);
    this.events += rows.reduce((n, r) => n + r.event_count, 0);
    this.timer ??= setTimeout(() => this.commit(), this.opts.windowMs);
  }

  add(row: BatchRow): void {
    this.rows.push(row);
    this.events += row.event_count;
    if (this.rows.length >= this.opts.maxRows || (this.events >= this.opts.maxEvents && this.roomShort())) this.commit();
    else this.timer ??= setTimeout(() => this.commit(), this.opts.windowMs);
  }

  /** Records every accepted batch now (safe to call at any time, and twice). A failed commit leaves them pending. */
  commit(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    this.events = 0;
    try {
      this.store.ackBatches(rows, this.opts.sending?.());
    } catch (err) {
      this.opts.onCommit(err);
      return;
    }
    this.opts.onCommit();
  }
}
