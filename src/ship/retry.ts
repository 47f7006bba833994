// Retry timing, written once: exponential backoff with full jitter (1 s doubling to 5 min), honouring Retry-After.

export interface BackoffOptions { baseMs: number; capMs: number; random: () => number }

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 300_000, random: Math.random };

/** A server asking for more than an hour is not taken literally. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/** Delay before retry number `attempt` (1 = first retry); a server's Retry-After wins when it is longer. */
export function backoffDelay(attempt: number, opts: BackoffOptions, retryAfterMs?: number): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt - 1, 30));
  const jittered = Math.floor(opts.random() * ceiling);
  return retryAfterMs !== undefined ? Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)) : jittered;
}

/** Retry-After as seconds or an HTTP date → milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
