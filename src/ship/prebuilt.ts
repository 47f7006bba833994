// Batch bodies made ahead, in a decode thread, for the full batches a piece is expected to complete (those inside it
// and the one spanning the records waiting before it); the cut uses one only when its records are exactly the bytes
// it was made of, and builds inline otherwise.
import { slabRange, type Slab } from '../state/slab.js';
import { batchBody, GZIP_LEVEL, type BatchBody } from './batch-body.js';
import { BodySink } from './gzip.js';

/** What a decode thread sends back: batch `i` was made of `lengths[i]` bytes at `starts[i]` of the piece's records. */
export interface RawPrebuilt {
  /** Records per batch (the batch size). */
  count: number;
  starts: number[];
  lengths: number[];
  /** The bodies back to back, in memory of their own (moved, not copied, to the main thread). */
  bodies: Uint8Array;
  bodyEnds: number[];
  ids: string[];
  /** The batch spanning the records that waited before the piece (`waiting`, moved) and its first records. */
  span?: { waiting: Uint8Array; waitingCount: number; headLength: number; bodyEnd: number; id: string };
}

/** A piece's prebuilt batches on the main thread, by where their records start in `data` (the piece's records). */
export interface PrebuiltBatches {
  /** Which decoded piece (for the carry the next ones are predicted from: pipeline/batch-carry.ts). */
  piece: number;
  data: Buffer;
  count: number;
  at: Map<number, { length: number; body: Buffer; id: string }>;
  span?: { waiting: Buffer; waitingCount: number; headLength: number; body: Buffer; id: string };
}

/**
 * Bodies of the full batches of `size` records in `s`, given that `carry` records wait unbatched before it: the first
 * batch spans that carry and this piece (made too when `waiting` holds those records), the next ones lie wholly in
 * it. Batches holding a record that is not valid JSON are left out (the inline cut refuses it and says so).
 */
export function prebuild(s: Slab, size: number, carry: number, waiting?: Slab): RawPrebuilt | undefined {
  const starts: number[] = [];
  const lengths: number[] = [];
  const bodyEnds: number[] = [];
  const ids: string[] = [];
  // Bodies are about a tenth of their records: an eighth rarely grows.
  const sink = new BodySink(s.data.length >> 3);
  const made = (parts: Slab[]): string | undefined => {
    const mark = sink.length;
    const b = batchBody(parts, GZIP_LEVEL, sink);
    if (!b.refused) return b.id;
    sink.length = mark;
    return undefined;
  };
  const first = (size - (carry % size)) % size;
  let span: RawPrebuilt['span'];
  if (waiting && waiting.ends.length === carry && first > 0 && first <= s.ends.length) {
    const head = slabRange(s, 0, first);
    const id = made([waiting, head]);
    if (id) span = { waiting: waiting.data, waitingCount: carry, headLength: head.data.length, bodyEnd: sink.length, id };
  }
  for (let from = first; from + size <= s.ends.length; from += size) {
    const part = slabRange(s, from, from + size);
    const id = made([part]);
    if (!id) continue;
    starts.push(part.data.byteOffset - s.data.byteOffset);
    lengths.push(part.data.length);
    bodyEnds.push(sink.length);
    ids.push(id);
  }
  if (ids.length === 0 && !span) return undefined;
  return { count: size, starts, lengths, bodies: sink.bytes, bodyEnds, ids, ...(span ? { span } : {}) };
}

/** The main thread's view of `raw`, made of `data` (the piece's records as they arrived). */
export function prebuiltBatches(raw: RawPrebuilt, data: Buffer, piece: number): PrebuiltBatches {
  const bodies = Buffer.from(raw.bodies.buffer, raw.bodies.byteOffset, raw.bodies.length);
  const at = new Map<number, { length: number; body: Buffer; id: string }>();
  const sp = raw.span;
  let from = sp ? sp.bodyEnd : 0;
  for (let i = 0; i < raw.starts.length; i++) {
    at.set(raw.starts[i], { length: raw.lengths[i], body: bodies.subarray(from, raw.bodyEnds[i]), id: raw.ids[i] });
    from = raw.bodyEnds[i];
  }
  const span = sp && {
    waiting: Buffer.from(sp.waiting.buffer, sp.waiting.byteOffset, sp.waiting.length), waitingCount: sp.waitingCount,
    headLength: sp.headLength, body: bodies.subarray(0, sp.bodyEnd), id: sp.id,
  };
  return { piece, data, count: raw.count, at, ...(span ? { span } : {}) };
}

/**
 * The prebuilt body of a batch of these parts, if one was made of exactly their bytes. One part: the same memory (a
 * view of the piece's records, which nothing writes while they wait) at the same place, with the same length and
 * count. Two: the records that waited before a piece, byte for byte those the body was made of, then the piece's
 * first records, as for one part.
 */
export function prebuiltFor(parts: Slab[]): BatchBody | undefined {
  const last = parts[parts.length - 1];
  const b = last.built;
  if (!b || parts.length > 2) return undefined;
  // Where `last` starts in the piece's records, if it views them (-1 if it is other memory).
  const at = last.data.buffer === b.data.buffer ? last.data.byteOffset - b.data.byteOffset : -1;
  if (parts.length === 1) {
    const e = last.ends.length === b.count ? b.at.get(at) : undefined;
    return e && e.length === last.data.length ? { body: e.body, id: e.id } : undefined;
  }
  const [waiting] = parts;
  const sp = b.span;
  if (!sp || at !== 0 || last.data.length !== sp.headLength || waiting.ends.length !== sp.waitingCount) return undefined;
  if (waiting.ends.length + last.ends.length !== b.count) return undefined;
  return waiting.data.equals(sp.waiting) ? { body: sp.body, id: sp.id } : undefined;
}
