// A batch's bytes both ways and its name: gzip of a JSON array of records, key
// <prefix>/YYYY/MM/DD/HH/mm/merged_logs_<id>.json.gz.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { gzipBody, type BodySink } from './gzip.js';
import { slabRecords, type Slab } from '../state/slab.js';

const METADATA = Buffer.from('"meterApiName":"aflo.object_metadata"');

export interface BuiltBatch {
  key: string;
  body: Buffer;
  /** Records left out because they are not valid JSON (a body must never be unreadable for the good ones). */
  refused?: Buffer[];
}

/** Usage records start with `{"uniqueId"`; object-metadata records carry none (docs/mapping.md §6). */
function isMetadata(r: Buffer): boolean {
  if (r[2] === 0x75 /* u */) return false;
  const at = r.subarray(0, 160).indexOf(METADATA);
  return at >= 0;
}

let kept: Buffer | undefined;
/** Memory for an array that is compressed right away (one buffer, grown as needed, instead of one per batch). */
function scratch(size: number): Buffer {
  if (!kept || kept.length < size) kept = Buffer.allocUnsafeSlow(Math.max(size, 1 << 20));
  return kept.subarray(0, size);
}

/**
 * The JSON array of the records (given in parts, in order), each distinct object-metadata record at most once
 * (docs/mapping.md §6). Usage records only (the common case): one copy of each part with its newlines turned into
 * commas, into memory that the next call writes again (the array is compressed at once).
 */
export function jsonArray(parts: Slab[]): Buffer {
  let size = 1;
  for (const p of parts) {
    const { data, ends } = p;
    let start = 0;
    for (let i = 0; i < ends.length && data[start + 2] === 0x75 /* u */; i++) start = ends[i];
    if (start < data.length) return dedupedArray(parts.flatMap(slabRecords));
    size += data.length;
  }
  if (size === 1) return Buffer.from('[]');
  const out = scratch(size);
  let pos = 0;
  for (const { data, ends } of parts) {
    out[pos] = 0x2c;
    data.copy(out, pos + 1);
    for (let i = 0; i < ends.length - 1; i++) out[pos + ends[i]] = 0x2c;
    pos += data.length;
  }
  out[0] = 0x5b;
  out[pos] = 0x5d;
  return out;
}

function dedupedArray(records: Buffer[]): Buffer {
  let seen: Set<string> | undefined;
  const kept: Buffer[] = [];
  let size = 2;
  for (const r of records) {
    if (isMetadata(r)) {
      seen ??= new Set();
      const text = r.toString('latin1');
      if (seen.has(text)) continue;
      seen.add(text);
    }
    kept.push(r);
    size += r.length + 1;
  }
  const out = Buffer.allocUnsafe(Math.max(2, size - (kept.length > 0 ? 1 : 0)));
  let pos = 0;
  out[pos++] = 0x5b;
  for (let i = 0; i < kept.length; i++) {
    if (i > 0) out[pos++] = 0x2c;
    pos += kept[i].copy(out, pos);
  }
  out[pos++] = 0x5d;
  return out.subarray(0, pos);
}

const I = 0x49, N = 0x4e;
const NON_FINITE = [Buffer.from('Infinity'), Buffer.from('NaN')];

/**
 * Whether the array may hold a bare `Infinity` or `NaN` (what a writer of non-finite numbers leaves, and the only
 * way our records could be invalid JSON). One memchr per letter; the rare batch that has either letter where a
 * number could start is then looked at record by record.
 */
function mayHoldNonFinite(array: Buffer): boolean {
  for (const word of NON_FINITE) {
    const first = word[0];
    for (let at = array.indexOf(first); at >= 0; at = array.indexOf(first, at + 1)) {
      const before = array[at - 1];
      if ((before === 0x3a || before === 0x2d || before === 0x2c || before === 0x5b) && array.subarray(at, at + word.length).equals(word)) return true;
    }
  }
  return false;
}

function isJson(record: Buffer): boolean {
  try {
    JSON.parse(record.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** The gzip level of batch bodies (wherever they are made: inline, or ahead in a decode thread). */
export const GZIP_LEVEL = 1;

export interface BatchBody {
  body: Buffer;
  /** What the object's name ends in: from the bytes that are stored and re-sent, so a re-send lands on the same object. */
  id: string;
  /** Records left out because they are not valid JSON (a body must never be unreadable for the good ones). */
  refused?: Buffer[];
}

/**
 * The body of a batch of `parts` (the records in event order), and its id. Pure: the same records give the same
 * bytes wherever this runs. The body is checked here: a record that is not valid JSON is left out and returned in
 * `refused`. With `sink`, the body is written into it (a view; its id is taken at once).
 */
export function batchBody(parts: Slab[], gzipLevel = GZIP_LEVEL, sink?: BodySink): BatchBody {
  let array = jsonArray(parts);
  let refused: Buffer[] | undefined;
  if ((array.indexOf(I) >= 0 || array.indexOf(N) >= 0) && mayHoldNonFinite(array)) {
    const records = parts.flatMap(slabRecords);
    refused = records.filter((r) => !isJson(r));
    if (refused.length > 0) array = dedupedArray(records.filter((r) => isJson(r)));
  }
  const body = sink ? sink.gzip(array, gzipLevel) : gzipBody(array, gzipLevel);
  const id = createHash('sha256').update(body).digest('hex').slice(0, 32);
  return { body, id, ...(refused && refused.length > 0 ? { refused } : {}) };
}

/** `parts`: the records in event order; `firstTimeMs` is the meter time of the batch's first event. */
export function buildBatch(parts: Slab[], firstTimeMs: number, prefix: string, gzipLevel = GZIP_LEVEL): BuiltBatch {
  const { body, id, refused } = batchBody(parts, gzipLevel);
  return { key: objectKey(prefix, firstTimeMs, id), body, ...(refused ? { refused } : {}) };
}

export function objectKey(prefix: string, timeMs: number, id: string): string {
  const d = new Date(timeMs);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const path = `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${p2(d.getUTCHours())}/${p2(d.getUTCMinutes())}`;
  const clean = prefix.replace(/^\/+|\/+$/g, '');
  return `${clean === '' ? '' : clean + '/'}${path}/merged_logs_${id}.json.gz`;
}

/**
 * The records a batch body holds. A body cut by an older version may hold bare non-finite numbers: they are read
 * as text, so that those records are refused one by one (bisected, dead-lettered) and the rest are sent.
 */
export function bodyRecords(body: Buffer): Buffer[] {
  const text = gunzipSync(body).toString('utf8');
  let records: unknown[];
  try {
    records = JSON.parse(text) as unknown[];
  } catch {
    records = JSON.parse(text.replace(/([:,[])(-?(?:Infinity|NaN))(?=[,}\]])/g, '$1"$2"')) as unknown[];
  }
  return records.map((r) => Buffer.from(JSON.stringify(r)));
}
