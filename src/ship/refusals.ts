// Whether refused events are the events' fault or the configuration's. A refused batch is bisected; when every part
// of it is refused with the same answer, none was accepted, and no other batch was accepted meanwhile, it is not the
// records (a wrong endpoint, a proxy, a gateway): they are kept and the setting reported, not dead-lettered.

interface Bisection { lo: number; hi: number; answer: string; since: number; partAccepted: boolean; mixed: boolean }

/** Bisections remembered at most (the oldest is forgotten first). */
const KEEP = 256;

export class Refusals {
  /** Refused batches being bisected, by the event range of the batch first refused. */
  private readonly bisections: Bisection[] = [];
  private lastAccepted = -Infinity;

  constructor(private readonly now: () => number) {}

  /** A batch holding events `lo`..`hi` was accepted. */
  accepted(lo: number, hi: number): void {
    this.lastAccepted = this.now();
    const b = this.find(lo, hi);
    if (b) b.partAccepted = true;
  }

  /** A batch (of any size) holding events `lo`..`hi` was refused with `answer`. */
  refused(lo: number, hi: number, answer: string): void {
    const b = this.find(lo, hi);
    if (b) {
      if (b.answer !== answer) b.mixed = true;
      return;
    }
    this.bisections.push({ lo, hi, answer, since: this.now(), partAccepted: false, mixed: false });
    if (this.bisections.length > KEEP) this.bisections.shift();
  }

  /** For a refused single event: true when its refusal says nothing about the event itself (keep it, report). */
  notTheRecords(lo: number, hi: number, answer: string): boolean {
    const b = this.find(lo, hi);
    return b !== undefined && !b.partAccepted && !b.mixed && b.answer === answer && this.lastAccepted < b.since;
  }

  private find(lo: number, hi: number): Bisection | undefined {
    for (let i = this.bisections.length - 1; i >= 0; i--) {
      const b = this.bisections[i];
      if (b.lo <= lo && hi <= b.hi) return b;
    }
    return undefined;
  }
}
