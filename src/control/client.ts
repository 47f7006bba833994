// The Amberflo control-plane client: JSON over HTTPS with X-API-KEY; answers classified and retried as backend sends
// are (http-answer.ts, ship/retry.ts), with errors that name the setting to fix (never the key).
import { sleep } from '../util/waiting.js';
import { classify, networkCause, type AnswerSettings } from '../backends/http-answer.js';
import { backoffDelay, DEFAULT_BACKOFF } from '../ship/retry.js';

export interface ControlOptions {
  endpoint: string; apiKey: string; timeoutMs: number;
  /** Retries after the first attempt (3), spaced as backend sends are (backoff from `retryBaseMs`, 500 ms). */
  retries?: number; retryBaseMs?: number;
}

export class ControlError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

const HINT: Record<string, string> = {
  ECONNREFUSED: 'nothing listens there: check AFLO_CONTROL_ENDPOINT (--control-endpoint)',
  ENOTFOUND: 'the host name is not known (DNS): check AFLO_CONTROL_ENDPOINT (--control-endpoint) and the resolver',
  EAI_AGAIN: 'the name server did not answer (DNS): check the network',
  'timed out': 'no answer in time: check the network, or raise AFLO_REQUEST_TIMEOUT',
};

/** Answers of the control plane, read as backend answers are (http-answer.ts): the settings each refusal names. */
const ANSWERS: AnswerSettings = { credentials: 'AFLO_API_KEY or AFLO_API_KEY_FILE', target: 'AFLO_CONTROL_ENDPOINT (--control-endpoint)', recordErrors: true };

export async function controlRequest(o: ControlOptions, method: string, path: string, body?: unknown, what = path): Promise<unknown> {
  const url = new URL(path.replace(/^\//, ''), o.endpoint.endsWith('/') ? o.endpoint : o.endpoint + '/').toString();
  const attempts = (o.retries ?? 3) + 1;
  const backoff = { ...DEFAULT_BACKOFF, baseMs: o.retryBaseMs ?? 500, capMs: 10_000 };
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { 'X-API-KEY': o.apiKey, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(o.timeoutMs),
      });
    } catch (err) {
      const code = networkCause(err);
      if (attempt < attempts) {
        await sleep(backoffDelay(attempt, backoff));
        continue;
      }
      throw new ControlError(`cannot reach ${url} (${code}, ${attempts} attempts): ${HINT[code] ?? 'check AFLO_CONTROL_ENDPOINT and the network'}`);
    }
    const text = await res.text();
    // A resource that is not there (a meter id): an answer about it, not about the endpoint.
    if (res.status === 404) throw new ControlError(`not found: ${what} (HTTP 404)`, 404);
    const answer = classify({ status: res.status, retryAfter: res.headers.get('retry-after'), detail: text.slice(0, 300) }, ANSWERS, Date.now());
    switch (answer.kind) {
      case 'accepted':
        if (text.trim() === '') return {};
        try {
          return JSON.parse(text);
        } catch {
          return { response: text };
        }
      case 'retry':
        if (attempt < attempts) {
          await sleep(backoffDelay(attempt, backoff, answer.afterMs));
          continue;
        }
        throw new ControlError(`${method} ${path}: ${answer.reason} (${attempts} attempts)`, res.status);
      case 'misconfigured':
        throw new ControlError(res.status === 401 || res.status === 403
          ? `Amberflo refused the API key (HTTP ${res.status}): check ${answer.setting}`
          : `${method} ${path}: ${answer.reason}: check ${answer.setting}`, res.status);
      default:
        throw new ControlError(`${method} ${path}: ${answer.reason}`, res.status);
    }
  }
}
