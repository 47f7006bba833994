// One piece of a source's bytes → its event records and what each entry in it became. Touches no buffer or
// state, so it runs the same in a decode thread or inline; admit.ts then decides what of it is committed.
import { EntryReader, type ReaderSink, type ReaderState, type SkipReason } from '../entries/reader.js';
import type { Obj } from '../entries/recognise.js';
import { mappedInfo, skippedInfo } from '../mapping/entry-notes.js';
import { FastMapper } from '../mapping/fast-mapper.js';
import { mapEntryInto } from '../mapping/map-entry.js';
import { RecordBuffer } from '../mapping/record-buffer.js';
import type { MappingOptions } from '../mapping/types.js';
import { tagRecords } from '../ledger/totals.js';
import type { RecordTags } from '../state/slab.js';
import type { PrebuiltBatches } from '../ship/prebuilt.js';

export interface Decoded {
  /** The records, back to back, newline-terminated; `ends[i]` is just past record i. */
  data: Buffer;
  ends: number[];
  /** What the ledger counts each record under (when `DecodeConfig.tag`). */
  tags?: RecordTags;
  /** Items in reader order: where each starts, how many records exist after it, and what it became. */
  starts: number[];
  recordsAfter: number[];
  info: number[];
  /** The reader after the piece: where to go on, and the offset everything before which is consumed. */
  state: ReaderState;
  checkpoint: number;
  /** Bodies of the full batches the piece is expected to hold, made by the decode thread (ship/prebuilt.ts). */
  built?: PrebuiltBatches;
}

export interface DecodeRequest {
  bytes: Uint8Array;
  /** The reader as it stood where `bytes` begin (a fresh one at a line start for a speculative piece). */
  state: ReaderState;
  /** 'soft': the end of input for now (an unterminated last entry is read if it parses); 'final': for good. */
  eof: 'no' | 'soft' | 'final';
  sourceId: string;
  fallbackTimeMs: number;
}

export interface DecodeConfig {
  mapping: MappingOptions;
  maxEntryBytes: number;
  /** Tag each record with its ledger key (the daemon; `map` has no ledger). */
  tag?: boolean;
  /** Make the bodies of full batches of this size ahead, in the decode thread (one thread only: it predicts where they start). */
  batchSize?: number;
}


class ItemSink implements ReaderSink {
  readonly starts: number[] = [];
  readonly recordsAfter: number[] = [];
  readonly info: number[] = [];

  constructor(private readonly mapping: MappingOptions, private readonly sourceId: string,
    private readonly fallbackTimeMs: number, readonly records: RecordBuffer, private readonly fast?: FastMapper) {}

  line(bytes: Buffer, from: number, to: number, start: number): boolean {
    if (this.fast === undefined) return false;
    const info = this.fast.mapLine(bytes, from, to, this.records, this.fallbackTimeMs);
    if (info < 0) return false;
    this.push(start, info);
    return true;
  }

  entry(slp: Obj, start: number, _end: number, index: number): void {
    const notes = mapEntryInto(slp, this.mapping, { sourceId: this.sourceId, start, index, fallbackTimeMs: this.fallbackTimeMs }, this.records);
    this.push(start, mappedInfo(notes));
  }

  skip(reason: SkipReason, start: number): void {
    this.push(start, skippedInfo(reason));
  }

  private push(start: number, info: number): void {
    this.starts.push(start);
    this.recordsAfter.push(this.records.count);
    this.info.push(info);
  }
}

/** Feeds `bytes` (or nothing) to `reader` and collects the result; the reader keeps its state for the next call. */
export function decodeWith(reader: EntryReader, bytes: Uint8Array | null, eof: DecodeRequest['eof'], cfg: DecodeConfig,
  sourceId: string, fallbackTimeMs: number, spare?: (size: number) => Buffer | undefined): Decoded {
  // Records take about as many bytes as the log lines they come from (LiteLLM lines: ~0.9×); a quarter more
  // rarely needs a regrowth.
  const size = Math.max(1 << 16, Math.ceil(1.25 * (bytes?.length ?? 0)));
  const records = new RecordBuffer(size, spare?.(size));
  const sink = new ItemSink(cfg.mapping, sourceId, fallbackTimeMs, records, FastMapper.for(cfg.mapping));
  if (bytes) reader.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), sink);
  if (eof !== 'no') reader.finish(sink, eof === 'final');
  const { data, ends } = records.slab();
  return {
    data, ends, ...(cfg.tag && ends.length > 0 ? { tags: tagRecords({ data, ends }) } : {}), starts: sink.starts, recordsAfter: sink.recordsAfter, info: sink.info,
    state: reader.state, checkpoint: reader.safeOffset,
  };
}

/** A piece decoded by a reader restored from `req.state`: pure, for the decode threads. */
export function decodePiece(req: DecodeRequest, cfg: DecodeConfig, spare?: (size: number) => Buffer | undefined): Decoded {
  return decodeWith(new EntryReader(cfg.maxEntryBytes, req.state), req.bytes, req.eof, cfg, req.sourceId, req.fallbackTimeMs, spare);
}
