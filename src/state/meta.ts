// The state's single values, typed: sequence numbers, the last success and error of sending, the backend last used.
// Written inside the store's transactions; read by the store, `status` and `/metrics`.
import type { Statement } from 'better-sqlite3';

export interface LastError { at: number; reason: string; status?: number }

/** How sending went at the last acknowledgement: batches allowed in flight and the mean round trip. */
export interface Sending { at: number; concurrency: number; rtt_ms: number | null }

export class Meta {
  /** `get`, `set`: the store's prepared SQL.getMeta and SQL.setMeta. */
  constructor(private readonly get: Statement, private readonly set: Statement) {}

  private value(key: string): string | undefined {
    return (this.get.get(key) as { value: string } | undefined)?.value;
  }

  /** Events numbered up to this are in batches (or were sent); the rest wait in segments. */
  get cutCursor(): number {
    return Number(this.value('cut_cursor') ?? 0);
  }

  set cutCursor(v: number) {
    this.set.run('cut_cursor', String(v));
  }

  /** The sequence number the next event gets. */
  get nextSeq(): number {
    return Number(this.value('next_seq') ?? 1);
  }

  set nextSeq(v: number) {
    this.set.run('next_seq', String(v));
  }

  /** When a batch was last accepted (epoch ms). */
  get lastSuccessMs(): number | undefined {
    const v = this.value('last_success');
    return v === undefined ? undefined : Number(v);
  }

  set lastSuccessMs(ms: number | undefined) {
    if (ms !== undefined) this.set.run('last_success', String(ms));
  }

  /** The last failed send or refusal. */
  get lastError(): LastError | undefined {
    const v = this.value('last_error');
    return v === undefined ? undefined : (JSON.parse(v) as LastError);
  }

  set lastError(e: LastError | undefined) {
    if (e !== undefined) this.set.run('last_error', JSON.stringify(e));
  }

  get sending(): Sending | undefined {
    const v = this.value('sending');
    return v === undefined ? undefined : (JSON.parse(v) as Sending);
  }

  set sending(s: Sending | undefined) {
    if (s !== undefined) this.set.run('sending', JSON.stringify(s));
  }

  /** The backend the last run sent with. */
  get backend(): string | undefined {
    return this.value('backend');
  }

  set backend(type: string | undefined) {
    if (type !== undefined) this.set.run('backend', type);
  }
}
