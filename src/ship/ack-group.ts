// Acknowledgements of accepted batches, committed in groups: one transaction costs ~65 µs whatever it holds and
// each deleted batch ~3 µs, so at hundreds of answers a second one commit per answer is most of the send cost.
// A group is committed `windowMs` after its first answer, or as soon as it holds `maxRows` batches or `maxEvents`
// events (room a reader waiting on a full buffer needs back soon): a crash in between re-sends those batches byte
// for byte, which Amberflo drops as duplicates (README, "What it guarantees").
import type { BatchRow, Store } from '../state/store.js';
import type { Sending } from '../state/meta.js';

export interface AckGroupOptions {
  windowMs: number;
  maxRows: number;
  maxEvents: number;
  /** After every commit (room was made in the buffer), and after a commit that failed (`err`). */
  onCommit: (err?: unknown) => void;
  /** How sending goes now, recorded with each commit (for `status`). */
  sending?: () => Sending;
}

export class AckGroup {
  private rows: BatchRow[] = [];
  private events = 0;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly store: Store, private readonly opts: AckGroupOptions) {}

  /** Batches accepted but not yet recorded as such: not to be sent again meanwhile. */
  get ids(): number[] {
    return this.rows.map((r) => r.id);
  }

  add(row: BatchRow): void {
    this.rows.push(row);
    this.events += row.event_count;
    if (this.rows.length >= this.opts.maxRows || this.events >= this.opts.maxEvents) this.commit();
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
