// `api` backend: POST the gzip JSON array to the Amberflo ingest endpoint with the API key.
import type { Backend, CheckResult, OutgoingBatch, SendResult } from './types.js';
import { classify, networkFailure } from './http-answer.js';
import { HttpClient } from './http-client.js';

export interface ApiOptions { endpoint: string; apiKey: string; timeoutMs: number; now: () => number }

/** Amberflo validates records one by one: a 400 or 422 is about the records in the batch (bisected). */
const SETTINGS = { credentials: 'AFLO_API_KEY (or AFLO_API_KEY_FILE)', target: 'AFLO_API_ENDPOINT', recordErrors: true };

/** `https://ingest.amberflo.io` → `https://ingest.amberflo.io/ingest`; a URL with a path is used as it is. */
export function ingestUrl(endpoint: string): string {
  const u = new URL(endpoint);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/ingest';
  return u.toString();
}

export function apiBackend(o: ApiOptions & { concurrency: number }): Backend {
  const url = ingestUrl(o.endpoint);
  const http = new HttpClient(url, o.concurrency);
  const headers = { 'X-API-KEY': o.apiKey, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Accept: 'application/json' };
  return {
    type: 'api',
    async send(batch: OutgoingBatch, signal: AbortSignal): Promise<SendResult> {
      let res;
      try {
        res = await http.send('POST', headers, batch.body, signal, o.timeoutMs);
      } catch (err) {
        return networkFailure(err, `POST ${url}`);
      }
      const retryAfter = res.headers['retry-after'];
      const detail = res.text.replace(/\s+/g, ' ').trim();
      return classify({ status: res.status, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, detail }, SETTINGS, o.now());
    },
    async check(signal: AbortSignal): Promise<CheckResult> {
      try {
        // Any answer means the endpoint is reachable; the key is checked by the first batch.
        await http.send('HEAD', {}, undefined, signal, o.timeoutMs);
        return { ok: true };
      } catch (err) {
        const r = networkFailure(err, `HEAD ${url}`);
        return { ok: false, retryable: true, reason: r.kind === 'retry' ? r.reason : `cannot reach ${url}`, setting: 'AFLO_API_ENDPOINT' };
      }
    },
    async close() {
      http.close();
    },
  };
}
