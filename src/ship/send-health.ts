// What the backend's answers say about it (failing since, refused credentials, last error, last acceptance), and
// the log lines that tell an operator when that changes: once per change, not once per batch.
import type { Logger } from 'pino';

export interface Health {
  misconfigured?: { reason: string; setting: string; since: number };
  failingSince?: number;
  lastError?: string;
  lastAcceptedAt?: number;
}

export class SendHealth {
  readonly state: Health = {};
  private lastAuthLog = -Infinity;
  private readonly refused: { count: number; last?: { status: number | null; reason: string }; timer?: ReturnType<typeof setTimeout> } = { count: 0 };

  constructor(private readonly log: Logger, private readonly now: () => number, private readonly authRetryMs: number) {}

  accepted(batch: string, events: number): void {
    const h = this.state;
    if (h.misconfigured || h.failingSince !== undefined) this.log.info({ batch }, 'backend accepts batches again');
    h.misconfigured = undefined;
    h.failingSince = undefined;
    h.lastAcceptedAt = this.now();
    this.log.debug({ batch, events }, 'batch accepted');
  }

  /** A send to be retried: warned about when sending starts failing, then at debug level. */
  failed(batch: string, reason: string, attempt: number): void {
    const h = this.state;
    h.lastError = reason;
    if (h.failingSince === undefined) {
      h.failingSince = this.now();
      this.log.warn({ batch, reason }, 'sending failed; retrying with backoff');
    } else this.log.debug({ batch, reason, attempt }, 'retrying batch');
  }

  /**
   * An event the backend refuses for good. The events of one refused batch (found by bisecting it) are said in one
   * line with their count, once the bisection has gone quiet for a second (or at `flushLog`).
   */
  deadLettered(status: number | null, reason: string): void {
    this.state.lastError = reason;
    this.refused.count++;
    this.refused.last = { status, reason };
    this.refused.timer ??= setTimeout(() => this.flushLog(), 1000);
    this.refused.timer.unref?.();
    this.refused.timer.refresh();
  }

  /** Says what was dead-lettered since the last line (safe to call at any time). */
  flushLog(): void {
    clearTimeout(this.refused.timer);
    this.refused.timer = undefined;
    if (this.refused.count === 0) return;
    this.log.warn({ events: this.refused.count, ...this.refused.last },
      `${this.refused.count} event(s) refused by the backend; moved to the dead-letter table (aflo-tail dlq list)`);
    this.refused.count = 0;
  }

  /**
   * Refused for a reason of configuration (credentials, target, region, a proxy): said at most once per
   * `authRetryMs`, naming the setting (never its value).
   */
  misconfigured(reason: string, setting: string, status: number | null): void {
    const now = this.now();
    this.state.misconfigured ??= { reason, setting, since: now };
    this.state.lastError = reason;
    if (now - this.lastAuthLog < this.authRetryMs) return;
    this.lastAuthLog = now;
    const what = status === 401 || status === 403 ? 'the backend refuses the credentials' : `the backend refuses every batch (${reason})`;
    this.log.error({ setting, status }, `${what}: check ${setting}. Nothing is lost; sending resumes when it accepts them`);
  }
}
