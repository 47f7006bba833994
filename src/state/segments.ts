// Events are stored compactly: one row per committed chunk (a segment) holding its records joined by newlines.
// Every event has a sequence number; a batch is a range of them. These helpers cut ranges out of segments.

export interface SegmentRow { first_seq: number; last_seq: number; records: string }
export interface EventRow { seq: number; record: string }

/** Splits a segment once and keeps the result: successive batches cut from the same segment reuse it. */
export class SegmentCache {
  private key = -1;
  private lines: string[] = [];

  records(row: SegmentRow): string[] {
    if (row.first_seq !== this.key) {
      this.key = row.first_seq;
      this.lines = row.records.split('\n');
    }
    return this.lines;
  }

  clear(): void {
    this.key = -1;
    this.lines = [];
  }
}

/** The events with sequence numbers lo..hi (inclusive), in order, at most `max` of them. */
export function eventsInRange(rows: SegmentRow[], lo: number, hi: number, cache: SegmentCache, max = Infinity): EventRow[] {
  const out: EventRow[] = [];
  for (const row of rows) {
    const lines = cache.records(row);
    const from = Math.max(lo, row.first_seq);
    const to = Math.min(hi, row.last_seq);
    for (let seq = from; seq <= to && out.length < max; seq++) out.push({ seq, record: lines[seq - row.first_seq] });
    if (out.length >= max) break;
  }
  return out;
}

/** The meter time of a record, read from its text (records are written by encode.ts with this exact field). */
export function recordTime(record: string): number {
  const m = /"meterTimeInMillis":(\d+)/.exec(record);
  return m ? Number(m[1]) : 0;
}
