// `api` backend: POST the gzip JSON array to the Amberflo ingest endpoint with the API key.
import type { Backend, CheckResult, OutgoingBatch, SendResult } from './types.js';
import { classify, networkFailure } from './http-answer.js';

export interface ApiOptions { endpoint: string; apiKey: string; timeoutMs: number; now: () => number }

const SETTINGS = { credentials: 'AFLO_API_KEY (or AFLO_API_KEY_FILE)', target: 'AFLO_API_ENDPOINT' };

/** `https://ingest.amberflo.io` → `https://ingest.amberflo.io/ingest`; a URL with a path is used as it is. */
export function ingestUrl(endpoint: string): string {
  const u = new URL(endpoint);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/ingest';
  return u.toString();
}

export function apiBackend(o: ApiOptions): Backend {
  const url = ingestUrl(o.endpoint);
  return {
    type: 'api',
    async send(batch: OutgoingBatch, signal: AbortSignal): Promise<SendResult> {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'X-API-KEY': o.apiKey, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Accept: 'application/json' },
          body: batch.body as unknown as BodyInit,
          signal: AbortSignal.any([signal, AbortSignal.timeout(o.timeoutMs)]),
        });
      } catch (err) {
        return networkFailure(err, `POST ${url}`);
      }
      let detail = '';
      try { detail = (await res.text()).replace(/\s+/g, ' ').trim(); } catch { /* body lost */ }
      return classify({ status: res.status, retryAfter: res.headers.get('retry-after'), detail }, SETTINGS, o.now());
    },
    async check(signal: AbortSignal): Promise<CheckResult> {
      try {
        new URL(url);
        // Any answer means the endpoint is reachable; the key is checked by the first batch.
        await fetch(url, { method: 'HEAD', signal: AbortSignal.any([signal, AbortSignal.timeout(o.timeoutMs)]) });
        return { ok: true };
      } catch (err) {
        const r = networkFailure(err, `HEAD ${url}`);
        return { ok: false, retryable: true, reason: r.kind === 'retry' ? r.reason : `cannot reach ${url}`, setting: 'AFLO_API_ENDPOINT' };
      }
    },
    async close() {},
  };
}
