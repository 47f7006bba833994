// Event records as JSON text, written field by field in one fixed order: the bytes that are stored, batched and re-sent.
/** Printable ASCII that JSON writes as it is (no quote, backslash or control character). */
export const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** JSON text of a string; the common plain-ASCII case skips JSON.stringify. */
export function jsonString(v: string): string {
  return PLAIN.test(v) ? '"' + v + '"' : JSON.stringify(v);
}

/** The constant start of every record of one entry: uniqueId (when present) and customerId (when set). */
export function recordHead(uniqueId: string | undefined, customerId: string | undefined): string {
  let head = '{';
  if (uniqueId !== undefined) head += '"uniqueId":' + jsonString(uniqueId) + ',';
  if (customerId !== undefined) head += '"customerId":' + jsonString(customerId) + ',';
  return head;
}

/** One record whose dimensions are given as JSON text (the object-metadata list); usage records are written as bytes. */
export function recordText(head: string, meter: string, value: number, ms: number, dimensionsJson: string): string {
  return head + '"meterApiName":"' + meter + '","meterValue":' + value + ',"meterTimeInMillis":' + ms + ',"dimensions":' + dimensionsJson + '}';
}
