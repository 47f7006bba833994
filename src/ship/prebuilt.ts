// Batch bodies made ahead, in a decode thread, for the full batches a piece is expected to hold; the cut uses one
// only when its records are exactly the bytes it was made of, and builds inline otherwise.
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
}

/** A piece's prebuilt batches on the main thread, by where their records start in `data` (the piece's records). */
export interface PrebuiltBatches {
  /** Which decoded piece (for the carry the next ones are predicted from: pipeline/batch-carry.ts). */
  piece: number;
  data: Buffer;
  count: number;
  at: Map<number, { length: number; body: Buffer; id: string }>;
}

/**
 * Bodies of the full batches of `size` records in `s`, given that `carry` records wait unbatched before it: the first
 * batch spans that carry and this piece (built inline), the next ones lie wholly in it. Batches holding a record
 * that is not valid JSON are left out (the inline cut refuses it and says so).
 */
export function prebuild(s: Slab, size: number, carry: number): RawPrebuilt | undefined {
  const starts: number[] = [];
  const lengths: number[] = [];
  const bodyEnds: number[] = [];
  const ids: string[] = [];
  // Bodies are about a tenth of their records: an eighth rarely grows.
  const sink = new BodySink(s.data.length >> 3);
  for (let from = (size - (carry % size)) % size; from + size <= s.ends.length; from += size) {
    const part = slabRange(s, from, from + size);
    const mark = sink.length;
    const b = batchBody([part], GZIP_LEVEL, sink);
    if (b.refused) {
      sink.length = mark;
      continue;
    }
    starts.push(part.data.byteOffset - s.data.byteOffset);
    lengths.push(part.data.length);
    bodyEnds.push(sink.length);
    ids.push(b.id);
  }
  if (ids.length === 0) return undefined;
  return { count: size, starts, lengths, bodies: sink.bytes, bodyEnds, ids };
}

/** The main thread's view of `raw`, made of `data` (the piece's records as they arrived). */
export function prebuiltBatches(raw: RawPrebuilt, data: Buffer, piece: number): PrebuiltBatches {
  const bodies = Buffer.from(raw.bodies.buffer, raw.bodies.byteOffset, raw.bodies.length);
  const at = new Map<number, { length: number; body: Buffer; id: string }>();
  for (let i = 0; i < raw.starts.length; i++) {
    at.set(raw.starts[i], { length: raw.lengths[i], body: bodies.subarray(i === 0 ? 0 : raw.bodyEnds[i - 1], raw.bodyEnds[i]), id: raw.ids[i] });
  }
  return { piece, data, count: raw.count, at };
}

/**
 * The prebuilt body of a batch that is this one part, if one was made of exactly its bytes: the same memory (a view
 * of the piece's records, which nothing writes while they wait) at the same place, with the same length and count.
 */
export function prebuiltFor(part: Slab): BatchBody | undefined {
  const b = part.built;
  if (!b || part.data.buffer !== b.data.buffer || part.ends.length !== b.count) return undefined;
  const e = b.at.get(part.data.byteOffset - b.data.byteOffset);
  return e && e.length === part.data.length ? { body: e.body, id: e.id } : undefined;
}
