// How many batches are sent at once, adapted to the backend as Vector's adaptive request concurrency does: while the
// round-trip time stays flat and every slot is in use the limit grows (doubling at first, then by one per
// round trip, gently near where the backend last refused more); a refusal (429, 503, a timeout: any answer to retry)
// cuts it to 70 %, a rising round trip by a tenth. AFLO_SEND_CONCURRENCY is the ceiling; a fixed limit stays possible.

export interface ConcurrencyOptions {
  /** The most batches in flight (AFLO_SEND_CONCURRENCY). */
  ceiling: number;
  /** false: always `ceiling` (AFLO_ADAPTIVE_CONCURRENCY=false). */
  adaptive: boolean;
  now: () => number;
}

/**
 * A window's mean round trip above the baseline (the least seen) by more than this share, and by more than a few
 * milliseconds (a local backend's round trip varies with the event loop, not with queueing), counts as rising.
 */
const RTT_RISE = 0.5;
const RTT_RISE_MIN_MS = 5;
/** The share of the limit kept after the backend pushed back (429, 503, a timeout), and after a rising round trip. */
const PUSHBACK_DECREASE = 0.7;
/** Near the limit where the backend last pushed back, grow by one only every this many windows (probe gently). */
const PROBE_WINDOWS = 20;
const DECREASE = 0.9;
/** Weight of the newest window in the long-run round trip. */
const EWMA = 0.4;
/** Windows last at least this long (a local backend answers in well under a millisecond). */
const MIN_WINDOW_MS = 5;

export class SendConcurrency {
  /** Batches that may be in flight now. */
  limit: number;
  /** The mean round trip (ms), undefined before the first window closes. */
  rttMs?: number;
  /**
   * The least mean round trip of a window (ms): what a rise is judged against. A round trip that rises with one batch
   * in flight is the backend's own, not queueing: it becomes the baseline.
   */
  private baselineMs?: number;
  /** Doubling until the first cut, as TCP's slow start. */
  private slowStart = true;
  private windowEnds = 0;
  private sum = 0;
  private count = 0;
  private full = false;
  private pushedBack = false;
  /** The limit at which the backend last pushed back, and the windows since. */
  private pushedAt?: number;
  private windowsSincePush = 0;

  constructor(private readonly o: ConcurrencyOptions) {
    this.limit = o.adaptive ? Math.min(o.ceiling, 2) : o.ceiling;
  }

  /**
   * A send is about to start with `inFlight` others under way: it counts the window as having used every slot when
   * it takes the last one.
   */
  started(inFlight: number): void {
    if (inFlight + 1 >= this.limit) this.full = true;
  }

  /** A send was answered after `rttMs`; `pushedBack`: the backend asked to be sent less (an answer to retry). */
  answered(rttMs: number, pushedBack: boolean): void {
    if (!this.o.adaptive) return;
    const now = this.o.now();
    if (pushedBack) this.pushedBack = true;
    else {
      this.sum += rttMs;
      this.count++;
    }
    if (this.windowEnds === 0) this.windowEnds = now + Math.max(MIN_WINDOW_MS, rttMs);
    if (now < this.windowEnds) return;
    this.closeWindow();
    this.windowEnds = now + Math.max(MIN_WINDOW_MS, this.rttMs ?? rttMs);
  }

  private closeWindow(): void {
    const mean = this.count > 0 ? this.sum / this.count : undefined;
    const b = this.baselineMs;
    const rising = mean !== undefined && b !== undefined && mean > b + Math.max(b * RTT_RISE, RTT_RISE_MIN_MS);
    this.windowsSincePush++;
    if (this.pushedBack) {
      this.pushedAt = this.limit;
      this.windowsSincePush = 0;
      this.limit = Math.max(1, Math.floor(this.limit * PUSHBACK_DECREASE));
      this.slowStart = false;
    } else if (rising && this.limit === 1) this.baselineMs = mean;
    else if (rising) {
      this.limit = Math.max(1, Math.floor(this.limit * DECREASE));
      this.slowStart = false;
    } else if (this.full) this.grow();
    if (mean !== undefined) {
      this.rttMs = this.rttMs === undefined ? mean : this.rttMs + EWMA * (mean - this.rttMs);
      this.baselineMs = Math.min(mean, this.baselineMs ?? mean);
    }
    this.sum = 0;
    this.count = 0;
    this.full = false;
    this.pushedBack = false;
  }

  /** Doubling in slow start; else one more per window, but near where the backend pushed back one per PROBE_WINDOWS. */
  private grow(): void {
    if (this.slowStart) this.limit = Math.min(this.o.ceiling, this.limit * 2);
    else if (this.pushedAt === undefined || this.limit + 1 < this.pushedAt * 0.9 || this.windowsSincePush % PROBE_WINDOWS === 0) {
      this.limit = Math.min(this.o.ceiling, this.limit + 1);
    }
  }
}
