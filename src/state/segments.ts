// Raw event records as stored: newline-terminated bytes in one blob per committed chunk (a segment).

/** The records of a segment blob, as views without their newlines. */
export function segmentRecords(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, start)) {
    out.push(data.subarray(start, i));
    start = i + 1;
  }
  return out;
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
