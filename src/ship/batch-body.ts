// A batch's bytes and name: gzip of a JSON array of records, key <prefix>/YYYY/MM/DD/HH/mm/merged_logs_<id>.json.gz.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const METADATA = '"meterApiName":"aflo.object_metadata"';

export interface BuiltBatch { key: string; body: Buffer }

/** `records` in event order; `firstTimeMs` is the meter time of the batch's first event. */
export function buildBatch(records: string[], firstTimeMs: number, prefix: string, gzipLevel = 6): BuiltBatch {
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
  const json = '[' + kept.join(',') + ']';
  const id = createHash('sha256').update(json).digest('hex').slice(0, 32);
  return { key: objectKey(prefix, firstTimeMs, id), body: gzipSync(json, { level: gzipLevel }) };
}

export function objectKey(prefix: string, timeMs: number, id: string): string {
  const d = new Date(timeMs);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const path = `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${p2(d.getUTCHours())}/${p2(d.getUTCMinutes())}`;
  const clean = prefix.replace(/^\/+|\/+$/g, '');
  return `${clean === '' ? '' : clean + '/'}${path}/merged_logs_${id}.json.gz`;
}
