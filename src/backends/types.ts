// The backend contract: put these bytes there and classify the answer; retry and backoff live elsewhere.

export interface OutgoingBatch {
  id: number;
  /** Object name (S3 key, blob name, file path under the output directory). */
  key: string;
  /** gzip of the JSON array of records. */
  body: Buffer;
  /** The records, for backends that write them as lines. */
  records: () => string[];
  eventCount: number;
}

export type SendResult =
  | { kind: 'accepted' }
  /** `rateLimited`: the backend said too many requests (429): the sender paces itself (ship/pacing.ts). */
  | { kind: 'retry'; reason: string; afterMs?: number; rateLimited?: boolean }
  | { kind: 'too_large'; reason: string }
  | { kind: 'rejected'; status: number | null; reason: string }
  | { kind: 'misconfigured'; status: number | null; reason: string; setting: string };

export type CheckResult = { ok: true } | { ok: false; retryable: boolean; reason: string; setting?: string };

export interface Backend {
  readonly type: string;
  send(batch: OutgoingBatch, signal: AbortSignal): Promise<SendResult>;
  /** Start-up check (bucket/container exists, endpoint answers); failures are logged and retried, never fatal. */
  check(signal: AbortSignal): Promise<CheckResult>;
  close(): Promise<void>;
}
