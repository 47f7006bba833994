// The Amberflo control-plane client: JSON over HTTPS with X-API-KEY, a few retries on network errors, and
// errors that name the setting to fix (never the key).
import { sleep } from '../ship/retry.js';
import { networkCause } from '../backends/http-answer.js';

export interface ControlOptions { endpoint: string; apiKey: string; timeoutMs: number; retries?: number; retryDelayMs?: number }

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

export async function controlRequest(o: ControlOptions, method: string, path: string, body?: unknown, what = path): Promise<unknown> {
  const url = new URL(path.replace(/^\//, ''), o.endpoint.endsWith('/') ? o.endpoint : o.endpoint + '/').toString();
  const attempts = (o.retries ?? 3) + 1;
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
        await sleep((o.retryDelayMs ?? 500) * attempt);
        continue;
      }
      throw new ControlError(`cannot reach ${url} (${code}, ${attempts} attempts): ${HINT[code] ?? 'check AFLO_CONTROL_ENDPOINT and the network'}`);
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      throw new ControlError(`Amberflo refused the API key (HTTP ${res.status}): check AFLO_API_KEY or AFLO_API_KEY_FILE`, res.status);
    }
    if (res.status === 404) throw new ControlError(`not found: ${what} (HTTP 404)`, 404);
    if (res.status >= 500 && attempt < attempts) {
      await sleep((o.retryDelayMs ?? 500) * attempt);
      continue;
    }
    if (res.status < 200 || res.status >= 300) throw new ControlError(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`, res.status);
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      return { response: text };
    }
  }
}
