// What an HTTP status means for a batch (delivery.md §3), written once for every backend.
import { parseRetryAfter } from '../ship/retry.js';
import type { SendResult } from './types.js';

export interface Answer {
  status: number;
  retryAfter?: string | null;
  /** A short, secret-free description of the server's answer. */
  detail?: string;
}

/** Settings to name when the service refuses credentials or cannot find its target. */
export interface AnswerSettings { credentials: string; target: string }

export function classify(a: Answer, settings: AnswerSettings, now: number): SendResult {
  const reason = `HTTP ${a.status}${a.detail ? `: ${a.detail.slice(0, 300)}` : ''}`;
  if (a.status >= 200 && a.status < 300) return { kind: 'accepted' };
  if (a.status === 401 || a.status === 403) return { kind: 'unauthorized', status: a.status, reason, setting: settings.credentials };
  if (a.status === 408 || a.status === 429 || a.status >= 500) {
    return { kind: 'retry', reason, afterMs: parseRetryAfter(a.retryAfter, now) };
  }
  if (a.status === 413) return { kind: 'too_large', reason };
  // The target does not exist: every batch would fail alike, so keep them and say which setting to fix.
  if (a.status === 404) return { kind: 'unauthorized', status: 404, reason, setting: settings.target };
  if (a.status >= 400) return { kind: 'rejected', status: a.status, reason };
  return { kind: 'retry', reason };
}

/** A network-level failure (refused, reset, timeout, DNS) is always worth retrying. */
export function networkFailure(err: unknown, what: string): SendResult {
  const e = err as { name?: string; code?: string; cause?: { code?: string; message?: string }; message?: string };
  const code = e?.cause?.code ?? e?.code ?? e?.name ?? 'error';
  return { kind: 'retry', reason: `${what}: ${code === 'TimeoutError' || code === 'AbortError' ? 'timed out' : code}` };
}
