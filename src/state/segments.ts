// Events are stored compactly: one row per committed chunk (a segment) holding its records as newline-terminated
// bytes. Every event has a sequence number; a batch is a range of them. These helpers cut ranges out of segments.

export interface EventRow { seq: number; bytes: Buffer }
/** `ends[i]` is the offset just past record i's newline. */
export interface Segment { first: number; data: Buffer; ends: number[] }

export function segmentFromBlob(first: number, data: Buffer): Segment {
  const ends: number[] = [];
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) ends.push(i + 1);
  return { first, data, ends };
}

export function lastSeq(seg: Segment): number {
  return seg.first + seg.ends.length - 1;
}

/** Appends to `out` the events of `seg` with sequence numbers in lo..hi, until `out` holds `max`. */
export function eventsOf(seg: Segment, lo: number, hi: number, out: EventRow[], max: number): void {
  const from = Math.max(lo, seg.first);
  const to = Math.min(hi, lastSeq(seg));
  for (let seq = from; seq <= to && out.length < max; seq++) {
    const i = seq - seg.first;
    out.push({ seq, bytes: seg.data.subarray(i === 0 ? 0 : seg.ends[i - 1], seg.ends[i] - 1) });
  }
}

const TIME = Buffer.from('"meterTimeInMillis":');

/** The meter time of a record, read from its bytes (encode.ts writes this exact field). */
export function recordTime(record: Buffer): number {
  let at = record.indexOf(TIME);
  if (at < 0) return 0;
  at += TIME.length;
  let n = 0;
  for (; at < record.length && record[at] >= 48 && record[at] <= 57; at++) n = n * 10 + (record[at] - 48);
  return n;
}
