// Raw event records as stored and batched: newline-terminated bytes with their end offsets (a slab).
import type { PrebuiltBatches } from '../ship/prebuilt.js';

/**
 * Records back to back, each ending in a newline; `ends[i]` is the offset just past record i's newline. `tags`, when
 * known (a decode thread works them out), say what the ledger counts each record under (ledger/totals.ts).
 */
export interface Slab {
  data: Buffer;
  ends: number[];
  tags?: RecordTags;
  /** Bodies a decode thread made ahead for batches of these records (ship/prebuilt.ts); views keep them. */
  built?: PrebuiltBatches;
}

/** Record i counts under `keys[key[i]]` (-1: not usage) with `value[i]`. */
export interface RecordTags { keys: string[]; key: Int32Array; value: Float64Array }

/** The end offsets of the newline-terminated records in `data` (a stored segment blob). */
export function slabOf(data: Buffer): Slab {
  const ends: number[] = [];
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) ends.push(i + 1);
  return { data, ends };
}

/** One slab holding `records` (each without its newline), copied. */
export function slabFrom(records: Buffer[]): Slab {
  const data = Buffer.allocUnsafe(records.reduce((n, r) => n + r.length + 1, 0));
  const ends: number[] = [];
  let pos = 0;
  for (const r of records) {
    pos += r.copy(data, pos);
    data[pos++] = 10;
    ends.push(pos);
  }
  return { data, ends };
}

/** Record number `i` of the slab, without its newline (a view). */
export function slabRecord(s: Slab, i: number): Buffer {
  return s.data.subarray(i === 0 ? 0 : s.ends[i - 1], s.ends[i] - 1);
}

export function slabRecords(s: Slab): Buffer[] {
  return s.ends.map((_, i) => slabRecord(s, i));
}

/** Records `from` (inclusive) to `to` (exclusive) of the slab, as a slab viewing the same bytes. */
export function slabRange(s: Slab, from: number, to: number): Slab {
  const base = from === 0 ? 0 : s.ends[from - 1];
  const ends = new Array<number>(to - from);
  for (let i = from; i < to; i++) ends[i - from] = s.ends[i] - base;
  const tags = s.tags && { keys: s.tags.keys, key: s.tags.key.subarray(from, to), value: s.tags.value.subarray(from, to) };
  return { data: s.data.subarray(base, to === 0 ? 0 : s.ends[to - 1]), ends, ...(tags ? { tags } : {}), ...(s.built ? { built: s.built } : {}) };
}

/** Several slabs as one (copied unless there is only one). */
export function joinSlabs(parts: Slab[]): Slab {
  if (parts.length === 1) return parts[0];
  const data = Buffer.concat(parts.map((p) => p.data));
  const ends: number[] = [];
  let base = 0;
  for (const p of parts) {
    for (const e of p.ends) ends.push(base + e);
    base += p.data.length;
  }
  // Tags are kept when every part has them from the same piece (its key list); otherwise they are worked out again.
  const keys = parts[0].tags?.keys;
  if (!keys || parts.some((p) => p.tags?.keys !== keys)) return { data, ends };
  const key = new Int32Array(ends.length);
  const value = new Float64Array(ends.length);
  let at = 0;
  for (const p of parts) {
    key.set(p.tags!.key, at);
    value.set(p.tags!.value, at);
    at += p.ends.length;
  }
  return { data, ends, tags: { keys, key, value } };
}

const TIME = Buffer.from('"meterTimeInMillis":');

/** The meter time of a record, read from its bytes (the mapper writes this exact field). */
export function recordTime(record: Buffer): number {
  let at = record.indexOf(TIME);
  if (at < 0) return 0;
  at += TIME.length;
  let n = 0;
  for (; at < record.length && record[at] >= 48 && record[at] <= 57; at++) n = n * 10 + (record[at] - 48);
  return n;
}
