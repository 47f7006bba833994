// Says in the log when the buffer is full and when it has room again, as Fluent Bit says an input paused: under
// `block` reading pauses (info: it is backpressure, the logs hold the rest), under `drop_newest` new events are dropped
// (warn, with how many). At most one line a minute while it stays full; the counts are in /metrics and `status` too.
import type { Logger } from 'pino';

/** What the watch reads at each look; the counts only grow. */
export interface BufferState {
  /** Events held now. */
  buffered: number;
  /** Reading is waiting for room now (`block`). */
  waiting: boolean;
  /** Times reading waited for room (or /ingest was told to come back) so far. */
  waits: number;
  /** Events this process dropped for want of room so far (`drop_newest`). */
  dropped: number;
}

export interface BufferWatchOptions {
  policy: 'block' | 'drop_newest';
  capacity: number;
  /** The shortest time between two "full" lines. */
  everyMs: number;
  now: () => number;
}

export class BufferWatch {
  /** When the last "full" line was written. */
  private saidAt = -Infinity;
  /** The full spell that line belongs to, until a look finds room. */
  private spell?: { since: number };
  /** The dropped count at the last "full" line. */
  private droppedMark = 0;
  /** The counts at the last look. */
  private seen = { waits: 0, dropped: 0 };

  constructor(private readonly o: BufferWatchOptions, private readonly state: () => BufferState, private readonly log: Logger) {}

  /** Looks once (called every second or so); `last`: the run is ending, so no "reading resumes". */
  tick(last = false): void {
    const s = this.state();
    const now = this.o.now();
    const dropped = s.dropped - this.droppedMark;
    // Full: reading waited for room, or events were dropped, since the last look (a wait or a drop between two
    // looks counts: a buffer refilled at once is full most of the time, whatever the instant of a look).
    const full = s.waiting || s.waits > this.seen.waits || s.dropped > this.seen.dropped;
    this.seen = { waits: s.waits, dropped: s.dropped };
    if (full && now - this.saidAt >= this.o.everyMs) {
      const fields = { buffered: s.buffered, max_buffer_size: this.o.capacity, buffer_full: this.o.policy };
      if (this.o.policy === 'drop_newest') this.log.warn({ ...fields, dropped }, 'buffer full (AFLO_MAX_BUFFER_SIZE): new events are dropped and counted');
      else this.log.info(fields, 'buffer full (AFLO_MAX_BUFFER_SIZE): reading paused until batches are accepted');
      this.saidAt = now;
      this.droppedMark = s.dropped;
      this.spell ??= { since: now };
    } else if (!full && this.spell && !last) {
      this.log.info({ buffered: s.buffered, full_for_s: Math.round((now - this.spell.since) / 1000) }, 'buffer has room again; reading resumes');
      this.spell = undefined;
    }
  }
}
