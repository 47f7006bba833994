// A request rate learned from rate limits (429): after one, sends are spaced to a little under what was accepted in
// the second before it (and never above 90 % of the pace refused), then the pace grows by 1 % a second while nothing
// is refused; a minute without a refusal and pacing stops. Concurrency (concurrency.ts) cannot hold a rate: a burst
// at the start of each of the backend's seconds is refused, and its Retry-After stops every send for a second.

const GROWTH_PER_SECOND = 0.01;
const AFTER_LIMIT = 0.95;
const CUT = 0.9;
const FORGET_MS = 60_000;

export class SendPacing {
  /** Requests per second allowed; undefined: not paced. */
  rate?: number;
  /** When the answers of the last second were accepted (oldest first). */
  private recent: number[] = [];
  private nextAt = 0;
  private lastLimitAt = 0;
  private grownAt = 0;

  constructor(private readonly now: () => number) {}

  accepted(): void {
    const t = this.now();
    this.recent.push(t);
    while (this.recent.length > 0 && this.recent[0] <= t - 1000) this.recent.shift();
    if (this.rate === undefined) return;
    if (t - this.lastLimitAt > FORGET_MS) {
      this.rate = undefined;
      return;
    }
    if (t - this.grownAt >= 1000) {
      this.rate *= 1 + GROWTH_PER_SECOND;
      this.grownAt = t;
    }
  }

  /** The backend refused a request for the rate; refusals of one second (sends already in flight) cut once. */
  limited(): void {
    const t = this.now();
    if (this.rate !== undefined && t - this.lastLimitAt < 1000) return;
    const accepted = this.recent.filter((at) => at > t - 1000).length;
    const learned = Math.max(1, AFTER_LIMIT * accepted);
    this.rate = this.rate === undefined ? learned : Math.max(1, Math.min(learned, CUT * this.rate));
    this.lastLimitAt = this.grownAt = t;
  }

  /** Milliseconds until a send may start; 0: it may now, and its slot is taken. */
  take(): number {
    if (this.rate === undefined) return 0;
    const t = this.now();
    if (t < this.nextAt) return this.nextAt - t;
    this.nextAt = Math.max(this.nextAt, t) + 1000 / this.rate;
    return 0;
  }
}
