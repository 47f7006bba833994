// What the backend's answers say about it (failing since, refused credentials, last error, last acceptance), and
// the log lines that tell an operator when that changes: once per change, not once per batch.
import type { Logger } from 'pino';

export interface Health {
  unauthorized?: { reason: string; setting: string; since: number };
  failingSince?: number;
  lastError?: string;
  lastAcceptedAt?: number;
}

export class SendHealth {
  readonly state: Health = {};
  private lastAuthLog = -Infinity;

  constructor(private readonly log: Logger, private readonly now: () => number, private readonly authRetryMs: number) {}

  accepted(batch: string, events: number): void {
    const h = this.state;
    if (h.unauthorized || h.failingSince !== undefined) this.log.info({ batch }, 'backend accepts batches again');
    h.unauthorized = undefined;
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

  /** An event the backend refuses for good. */
  deadLettered(status: number | null, reason: string): void {
    this.state.lastError = reason;
    this.log.warn({ status, reason }, 'event refused by the backend; moved to the dead-letter table');
  }

  /** Refused credentials: said at most once per `authRetryMs`, naming the setting (never its value). */
  unauthorized(reason: string, setting: string, status: number | null): void {
    const now = this.now();
    this.state.unauthorized ??= { reason, setting, since: now };
    this.state.lastError = reason;
    if (now - this.lastAuthLog < this.authRetryMs) return;
    this.lastAuthLog = now;
    this.log.error({ setting, status }, `the backend refuses the credentials: check ${setting}. Nothing is lost; sending resumes when it accepts them`);
  }
}
