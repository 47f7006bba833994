// The flusher: sends the buffer's batches (cut by batching.ts) and acts on the backend's answer.
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Backend, OutgoingBatch, SendResult } from '../backends/types.js';
import type { BatchRow, Store } from '../state/store.js';
import { AckGroup } from './ack-group.js';
import type { Batching } from './batching.js';
import { Refusals } from './refusals.js';
import { backoffDelay, type BackoffOptions } from './retry.js';
import { SendHealth, type Health } from './send-health.js';
import { countSend, newSendStats, type SendStats } from './send-stats.js';
import { Wakeup } from '../util/waiting.js';
import { SendConcurrency } from './concurrency.js';
import { SendPacing } from './pacing.js';

export interface FlusherOptions {
  /** Acknowledgements are recorded in groups of at most a quarter of this many events. */
  maxBufferSize: number;
  backoff: BackoffOptions;
  /** How often a refused credential is retried and its message repeated. */
  authRetryMs: number;
  /** Batches sent at the same time (1 keeps strict order); with `adaptive`, the most (concurrency.ts). */
  concurrency: number;
  adaptive?: boolean;
  /** How long an accepted batch may wait to be recorded as such, grouped with others (default 20 ms). */
  ackWindowMs?: number;
  now: () => number;
  log: Logger;
}

export type DrainResult = { ok: true } | { ok: false; reason: string };

export class Flusher {
  readonly stats: SendStats = newSendStats();
  /** How many batches may be in flight now, and the round trip it is judged by. */
  readonly concurrency: SendConcurrency;
  /** Poked after every ack, so a reader waiting for room in the buffer can go on. */
  readonly acked = new Wakeup();
  private readonly work = new Wakeup();
  private readonly sendHealth: SendHealth;
  private readonly refusals: Refusals;
  /** No send before this time (backoff, Retry-After, refused credentials). */
  private retryAt = 0;
  /** The rate a rate-limited backend takes (adaptive only), and when the next paced send may start. */
  private readonly pacing?: SendPacing;
  private pacedAt = 0;
  private readonly inflight = new Map<number, Promise<void>>();
  private readonly acks: AckGroup;
  /** Pending batches read ahead, newest first (see `nextBatch`). */
  private upcoming: BatchRow[] = [];
  /** `store.batchesMade` when a read found every pending batch (-1: not known to be so): nothing new to read. */
  private readAll = -1;

  constructor(private readonly store: Store, private readonly batching: Batching, private readonly backend: Backend,
    private readonly opts: FlusherOptions) {
    this.sendHealth = new SendHealth(opts.log, opts.now, opts.authRetryMs);
    this.concurrency = new SendConcurrency({ ceiling: opts.concurrency, adaptive: opts.adaptive ?? false, now: opts.now });
    this.refusals = new Refusals(opts.now);
    if (opts.adaptive) this.pacing = new SendPacing(opts.now);
    this.acks = new AckGroup(store, {
      windowMs: opts.ackWindowMs ?? 20, maxRows: 256, maxEvents: Math.max(1, Math.floor(opts.maxBufferSize / 4)), bufferSize: opts.maxBufferSize,
      onCommit: (err) => this.acksCommitted(err),
      sending: () => ({ at: opts.now(), concurrency: this.concurrency.limit, rtt_ms: this.concurrency.rttMs ?? null }),
    });
    store.onEventsAdded(() => this.poke());
  }

  get health(): Health {
    return this.sendHealth.state;
  }

  /** New events were committed. */
  poke(): void {
    this.work.poke();
  }

  /**
   * Follow mode: runs until `stop` aborts. Sends under way when it does are finished, not cut off (an aborted
   * request the server did take would be sent again); `abort` cuts them off (the drain deadline).
   */
  async run(stop: AbortSignal, abort: AbortSignal = new AbortController().signal): Promise<void> {
    this.expectListeners(abort);
    while (!stop.aborted) {
      this.batching.cutDue(false);
      this.launch(abort);
      await this.settle(this.batching.untilNextCut(), stop);
    }
    await this.finishSends();
  }

  /** Cuts everything left and sends until the buffer is empty, `deadline` passes, or credentials are refused (`stopOnAuth`). */
  async drain(deadline: AbortSignal, stopOnAuth: boolean): Promise<DrainResult> {
    this.expectListeners(deadline);
    for (;;) {
      this.batching.cutDue(true);
      if (this.inflight.size === 0) {
        this.acks.commit();
        if (this.store.pendingBatchTotals().batches === 0) {
          this.sendHealth.flushLog();
          return { ok: true };
        }
      }
      if (deadline.aborted || (stopOnAuth && this.health.misconfigured)) {
        await this.finishSends();
        this.sendHealth.flushLog();
        const reason = deadline.aborted ? this.health.lastError ?? 'time ran out' : this.health.misconfigured!.reason;
        return { ok: false, reason };
      }
      this.launch(deadline);
      await this.settle(1000, deadline);
    }
  }

  /** Waits for the sends under way and records every accepted batch. */
  private async finishSends(): Promise<void> {
    await Promise.all(this.inflight.values());
    this.acks.commit();
  }

  /** Every send under way listens to `signal` (HTTP clients, SDKs): more than Node's default of 10 is no leak. */
  private expectListeners(signal: AbortSignal): void {
    setMaxListeners(Math.max(getMaxListeners(signal), this.opts.concurrency + 10), signal);
  }

  /** Starts sends for pending batches not yet under way, up to the concurrency, unless a retry wait holds. */
  private launch(signal: AbortSignal): void {
    if (this.opts.now() < this.retryAt) return;
    // While paced, the pace holds the rate: the sends it spaces may all be in flight (up to the ceiling).
    const limit = this.pacing?.rate !== undefined ? this.opts.concurrency : this.concurrency.limit;
    for (let free = limit - this.inflight.size; free > 0; free--) {
      const row = this.nextBatch();
      if (!row) return;
      const wait = this.pacing?.take() ?? 0;
      if (wait > 0) {
        // Paced (a rate-limited backend): the batch goes back to be the next one sent.
        this.upcoming.push(row);
        this.pacedAt = this.opts.now() + wait;
        return;
      }
      this.concurrency.started(this.inflight.size);
      // A send whose outcome could not be recorded (the state database failing) leaves its row as it was: read again.
      const p = this.sendOnce(row, signal).then(() => undefined, () => this.reread()).finally(() => {
        this.inflight.delete(row.id);
        this.work.poke();
      });
      this.inflight.set(row.id, p);
    }
  }

  /**
   * The oldest pending batch not under way. Rows are read a few at a time: batches cut later come after them, and
   * only a send that ends other than accepted changes the ones already read (`reread`). Once a read found them
   * all, none is read again until the store makes a batch (a catch-up run asks after every send).
   */
  private nextBatch(): BatchRow | undefined {
    if (this.upcoming.length === 0 && this.readAll !== this.store.batchesMade) {
      const made = this.store.batchesMade;
      const limit = 2 * this.concurrency.limit;
      this.upcoming = this.store.pendingBatches(limit, [...this.inflight.keys(), ...this.acks.ids]).reverse();
      this.readAll = this.upcoming.length < limit ? made : -1;
    }
    return this.upcoming.pop();
  }

  /** Batches already read may have changed (a send failed or was split, or acknowledgements were not recorded). */
  private reread(): void {
    this.upcoming = [];
    this.readAll = -1;
  }

  /** Room was made in the buffer, or (`err`) the accepted batches could not be recorded: they are sent again. */
  private acksCommitted(err?: unknown): void {
    if (err) {
      this.reread();
      this.opts.log.error({ err: (err as Error)?.message ?? String(err) }, 'could not record accepted batches; they will be sent again');
    }
    this.acked.poke();
    this.work.poke();
  }

  /** Waits for a send to finish, new events, the end of a retry wait, or `ms`, whichever comes first. */
  private async settle(ms: number, stop: AbortSignal): Promise<void> {
    const now = this.opts.now();
    const waitMs = now < this.retryAt ? Math.min(ms, this.retryAt - now) : now < this.pacedAt ? Math.min(ms, this.pacedAt - now) : ms;
    await this.work.wait(Math.max(1, waitMs), stop);
    // A backend that answers without I/O must not starve timers (deadlines) and reading: yield a turn.
    await new Promise((resolve) => setImmediate(resolve));
  }

  private async sendOnce(row: BatchRow, signal: AbortSignal): Promise<SendResult['kind']> {
    const r = await this.sendAndAct(row, signal);
    if (r.kind !== 'accepted') this.reread();
    // A wait asked for (backoff, Retry-After) holds for every batch; a success elsewhere does not lift it.
    if (r.waitMs > 0) this.retryAt = Math.max(this.retryAt, this.opts.now() + r.waitMs);
    return r.kind;
  }

  private async sendAndAct(row: BatchRow, signal: AbortSignal): Promise<{ kind: SendResult['kind']; waitMs: number }> {
    const batch: OutgoingBatch = {
      id: row.id, key: row.key, body: row.body, eventCount: row.event_count,
      records: () => this.batching.records(row).map((r) => r.toString('utf8')),
    };
    let result: SendResult;
    const started = this.opts.now();
    try {
      result = await this.backend.send(batch, signal);
    } catch (err) {
      result = { kind: 'retry', reason: `backend error: ${(err as Error)?.message ?? String(err)}` };
    }
    const rttMs = this.opts.now() - started;
    countSend(this.stats, rttMs / 1000, result.kind);
    this.concurrency.answered(rttMs, result.kind === 'retry');
    switch (result.kind) {
      case 'accepted':
        this.pacing?.accepted();
        this.acks.add(row);
        this.refusals.accepted(row.lo, row.hi);
        this.sendHealth.accepted(row.key, row.event_count);
        return { kind: 'accepted', waitMs: 0 };
      case 'retry':
        if (result.rateLimited) this.pacing?.limited();
        this.store.batchFailed(row.id, result.reason);
        this.sendHealth.failed(row.key, result.reason, row.attempts + 1);
        return { kind: 'retry', waitMs: backoffDelay(row.attempts + 1, this.opts.backoff, result.afterMs) };
      case 'too_large':
      case 'rejected': {
        const status = result.kind === 'rejected' ? result.status : 413;
        const records = this.batching.records(row);
        if (result.kind === 'rejected') this.refusals.refused(row.lo, row.hi, result.reason);
        if (records.length === 1 && result.kind === 'rejected' && this.refusals.notTheRecords(row.lo, row.hi, result.reason)) {
          // Every event of the batch refused alike, nothing accepted meanwhile: the configuration, not the records.
          return this.misconfigured(row, { kind: 'misconfigured', status, reason: result.reason,
            setting: `${this.backend.type === 'api' ? 'AFLO_API_ENDPOINT' : 'the backend settings'} (every event is refused with the same answer)` });
        }
        if (records.length > 1) {
          this.batching.split(row, records);
          this.opts.log.debug({ batch: row.key, status, reason: result.reason }, 'batch refused; splitting it');
        } else {
          this.store.deadLetterBatch(row, records, status, result.reason);
          this.sendHealth.deadLettered(status, result.reason);
          this.acked.poke();
        }
        return { kind: result.kind, waitMs: 0 };
      }
      case 'misconfigured':
        return this.misconfigured(row, result);
    }
  }

  /** Refused for a reason of configuration: the batch is kept, the setting reported, sending retried slowly. */
  private misconfigured(row: BatchRow, r: Extract<SendResult, { kind: 'misconfigured' }>): { kind: 'misconfigured'; waitMs: number } {
    this.store.batchFailed(row.id, r.reason);
    this.sendHealth.misconfigured(r.reason, r.setting, r.status);
    return { kind: 'misconfigured', waitMs: this.opts.authRetryMs };
  }
}
