// POST /ingest: usage records from other services, authenticated, validated whole, committed to the durable buffer
// before 202.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { emptyCounts } from '../entries/counts.js';
import { RecordBuffer } from '../mapping/record-buffer.js';
import type { Admission } from '../pipeline/admission.js';
import { isStoreError, type Store } from '../state/store.js';

export const MAX_BODY_BYTES = 1 << 20;
/** Requests to /ingest read at once: with MAX_BODY_BYTES each, the memory bodies in flight can take (32 MB). */
export const MAX_IN_FLIGHT = 32;

export interface IngestEndpointOptions {
  store: Store; admission: Admission; now: () => number;
  /** The bearer token a request must carry (AFLO_INGEST_TOKEN_FILE); none: loopback only, refused elsewhere at start. */
  token?: string;
  /** Negative meter values (corrections) are taken (AFLO_INGEST_ALLOW_NEGATIVE). */
  allowNegative?: boolean;
}

/** Times outside 2000–2100 are a unit mistake (seconds, microseconds) or an attack on the object key's date. */
const MIN_TIME_MS = 946_684_800_000;
const MAX_TIME_MS = 4_102_444_800_000;

/**
 * A client's uniqueId as shipped: `ingest:<tenantId>:<uniqueId>`. Ids aflo-tail takes from LiteLLM logs (request ids,
 * `chatcmpl-…`, UUIDs) or makes (`aflo-…`) never start so, so a client can never make Amberflo drop a logged event as
 * its duplicate.
 */
export function namespacedId(tenantId: string, uniqueId: string): string {
  return `ingest:${tenantId}:${uniqueId}`;
}

const digest = (v: string) => createHash('sha256').update(v).digest();

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time. */
function authorized(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return m !== null && timingSafeEqual(digest(m[1]), digest(token));
}

type Checked = { ok: true; record: string } | { ok: false; error: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One record → its stored JSON text, with customerId = tenantId and a generated uniqueId / receive time when absent. */
export function checkRecord(r: unknown, i: number, now: number, allowNegative = false): Checked {
  const bad = (field: string, why: string): Checked => ({ ok: false, error: `record ${i}: ${field} ${why}` });
  if (!isObject(r)) return bad('(record)', 'must be an object');
  if (typeof r.tenantId !== 'string' || r.tenantId.trim() === '') return bad('tenantId', 'must be a non-empty string');
  if (typeof r.meterApiName !== 'string' || r.meterApiName.trim() === '') return bad('meterApiName', 'must be a non-empty string');
  if (typeof r.meterValue !== 'number' || !Number.isFinite(r.meterValue)) return bad('meterValue', 'must be a finite number');
  if (r.meterValue < 0 && !allowNegative) return bad('meterValue', 'must not be negative (AFLO_INGEST_ALLOW_NEGATIVE=true takes corrections)');
  if (r.uniqueId !== undefined && (typeof r.uniqueId !== 'string' || r.uniqueId === '')) return bad('uniqueId', 'must be a non-empty string');
  if (r.meterTimeInMillis !== undefined && (!Number.isSafeInteger(r.meterTimeInMillis) || (r.meterTimeInMillis as number) < MIN_TIME_MS ||
    (r.meterTimeInMillis as number) >= MAX_TIME_MS)) {
    return bad('meterTimeInMillis', 'must be whole milliseconds since 1970, between the years 2000 and 2100');
  }
  if (r.dimensions !== undefined) {
    if (!isObject(r.dimensions)) return bad('dimensions', 'must be an object of strings');
    for (const [k, v] of Object.entries(r.dimensions)) if (typeof v !== 'string' || v === '') return bad(`dimensions.${k}`, 'must be a non-empty string');
  }
  return {
    ok: true,
    record: JSON.stringify({
      uniqueId: namespacedId(r.tenantId, (r.uniqueId as string | undefined) ?? randomUUID()), customerId: r.tenantId, meterApiName: r.meterApiName, meterValue: r.meterValue,
      meterTimeInMillis: r.meterTimeInMillis ?? now, dimensions: r.dimensions ?? {},
    }),
  };
}

function answer(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

export function ingestRoute(o: IngestEndpointOptions) {
  let inFlight = 0;
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return answer(res, 405, { error: 'use POST' }, { allow: 'POST' });
    if (o.token !== undefined && !authorized(req, o.token)) {
      req.resume();
      return answer(res, 401, { error: 'a bearer token is required (Authorization: Bearer ...)' }, { 'www-authenticate': 'Bearer' });
    }
    // JSON only: a form or text body is what a web page in a browser on this host can send (no CORS preflight).
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return answer(res, 415, { error: 'Content-Type must be application/json' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        answer(res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` }, { connection: 'close' });
        req.destroy();
        return;
      }
      chunks.push(c as Buffer);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(res, 400, { error: 'body is not JSON' });
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    if (list.length === 0) return answer(res, 400, { error: 'no records' });
    const now = o.now();
    const records = new RecordBuffer();
    for (let i = 0; i < list.length; i++) {
      const c = checkRecord(list[i], i, now, o.allowNegative);
      if (!c.ok) return answer(res, 400, { error: c.error });
      records.text(c.record, false);
      records.endRecord();
    }
    // The admission rule of every source (admission.ts): what does not fit a full buffer waits (block: the client
    // retries) or is dropped and counted (drop_newest). More events than the whole buffer holds can never go in.
    const verdict = o.admission.records(list.length);
    if (verdict === 'too_large') return answer(res, 413, { error: `${list.length} records: more than the buffer holds (${o.admission.capacity}); send fewer at once` });
    if (verdict === 'wait') return answer(res, 503, { error: 'buffer full; retry later' }, { 'retry-after': '5' });
    const fits = verdict === 'take';
    const dropped = fits ? 0 : list.length;
    const counts = emptyCounts();
    counts.read = list.length;
    counts.mapped = list.length;
    try {
      o.store.commitPiece({ scope: 'ingest', records: fits ? records.slab() : undefined, dropped, counts });
    } catch (err) {
      // Nothing was committed, and nothing of it is in memory: the client's retry is the only copy that counts.
      if (!isStoreError(err)) throw err;
      return answer(res, 503, { error: 'the state database cannot be written now; retry later' }, { 'retry-after': '5' });
    }
    answer(res, 202, fits ? { accepted: list.length } : { accepted: 0, dropped });
  };
  // A bounded number of bodies read at once: connections that send part of a body and stall cannot take the memory
  // (the server's timeouts end them); the others are told to come back.
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (inFlight >= MAX_IN_FLIGHT) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' }).end('{"error":"too many requests at once; retry"}');
      req.destroy();
      return;
    }
    inFlight++;
    try {
      await route(req, res);
    } finally {
      inFlight--;
    }
  };
}
