// Room in the buffer, decided in one place for every source (files, stdin, POST /ingest): what may go in, what a
// full buffer does (`block`: wait and read again later; `drop_newest`: count as dropped), and waiting for room.
import type { Store } from '../state/store.js';
import type { Wakeup } from '../util/waiting.js';
import { admit, type Admitted } from './admit.js';
import type { Decoded } from './decode.js';

export interface AdmissionOptions {
  maxBufferSize: number;
  bufferFull: 'block' | 'drop_newest';
  /** The longest a wait for room lasts before the caller looks again (a poll interval). */
  pollMs: number;
  now: () => number;
}

/** What happens to `n` records offered at once (POST /ingest): taken, refused for now, dropped, or never taken. */
export type RecordsVerdict = 'take' | 'wait' | 'drop' | 'too_large';

export class Admission {
  /** What the log says of a full buffer (buffer-watch.ts): events this process dropped for want of room
   *  (`drop_newest`), times reading waited for room or /ingest was told to come back, and waits under way. */
  dropped = 0;
  waits = 0;
  waiting = 0;

  /** `acked`: poked when batches are accepted (room was made). */
  constructor(private readonly store: Store, private readonly o: AdmissionOptions, private readonly acked?: Wakeup) {}

  /** Events the buffer holds at most (AFLO_MAX_BUFFER_SIZE). */
  get capacity(): number {
    return this.o.maxBufferSize;
  }

  /** Events the buffer still takes. */
  get room(): number {
    return Math.max(0, this.o.maxBufferSize - this.store.bufferedEvents);
  }

  /** Reading pauses: the buffer is full under `block` (a buffer holding nothing takes any one entry). */
  get full(): boolean {
    return this.o.bufferFull === 'block' && this.room <= 0 && this.store.bufferedEvents > 0;
  }

  /** Events a piece read from a file should hold at most, so that it can wait for room and go in whole. */
  get pieceEvents(): number {
    return this.o.bufferFull === 'block' ? this.o.maxBufferSize / 2 : Infinity;
  }

  /** What of a decoded piece goes in now (admit.ts): all while there is room, then by the policy. */
  piece(d: Decoded): Admitted {
    const a = admit(d, this.room, this.store.bufferedEvents === 0, this.o);
    this.dropped += a.dropped;
    return a;
  }

  /** A decoded piece of `n` events that would be cut now but fits once batches are accepted: worth waiting for. */
  worthWaiting(n: number): boolean {
    return this.o.bufferFull === 'block' && n > this.room && n <= this.pieceEvents;
  }

  /** `n` records of one request, taken whole or not at all. */
  records(n: number): RecordsVerdict {
    if (n > this.o.maxBufferSize) return 'too_large';
    if (n <= this.room) return 'take';
    if (this.o.bufferFull === 'block') {
      this.waits++;
      return 'wait';
    }
    this.dropped += n;
    return 'drop';
  }

  /**
   * Resolves once a quarter of the buffer (or `need` events) is free, a poll interval passed, or `signal` aborts.
   * Resuming at the first acknowledgement would read in slivers, one small commit per batch sent.
   */
  async waitForRoom(need: number, signal: AbortSignal): Promise<void> {
    const until = this.o.now() + this.o.pollMs;
    const wanted = Math.max(need, this.o.maxBufferSize * 0.25);
    this.waits++;
    this.waiting++;
    try {
      do await (this.acked ? this.acked.wait(Math.max(1, until - this.o.now()), signal) : Promise.resolve());
      while (this.acked && !signal.aborted && this.o.now() < until && this.room < wanted);
    } finally {
      this.waiting--;
    }
  }
}
