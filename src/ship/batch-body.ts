// A batch's bytes and name: gzip of a JSON array of records, key <prefix>/YYYY/MM/DD/HH/mm/merged_logs_<id>.json.gz.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const METADATA = '"meterApiName":"aflo.object_metadata"';

export interface BuiltBatch { key: string; body: Buffer }

/** `records` in event order; `firstTimeMs` is the meter time of the batch's first event. */
export function buildBatch(records: string[], firstTimeMs: number, prefix: string, gzipLevel = 1): BuiltBatch {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const r of records) {
    if (r.includes(METADATA)) {
      // Each distinct object-metadata list at most once per batch (mapping.md §6).
      if (seen.has(r)) continue;
      seen.add(r);
    }
    kept.push(r);
  }
  const body = gzipSync('[' + kept.join(',') + ']', { level: gzipLevel });
  // The name comes from the bytes that are stored and re-sent, so a re-send lands on the same object.
  const id = createHash('sha256').update(body).digest('hex').slice(0, 32);
  return { key: objectKey(prefix, firstTimeMs, id), body };
}

export function objectKey(prefix: string, timeMs: number, id: string): string {
  const d = new Date(timeMs);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const path = `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${p2(d.getUTCHours())}/${p2(d.getUTCMinutes())}`;
  const clean = prefix.replace(/^\/+|\/+$/g, '');
  return `${clean === '' ? '' : clean + '/'}${path}/merged_logs_${id}.json.gz`;
}
