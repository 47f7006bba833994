// One read chunk → mapped events → one SQLite commit with the new checkpoint, within the buffer's limit.
import { emptyCounts, countSkip, type EntryCounts } from '../entries/counts.js';
import type { EntryReader, ReaderSink, SkipReason } from '../entries/reader.js';
import type { Obj } from '../entries/recognise.js';
import { mapEntryInto } from '../mapping/map-entry.js';
import { countMapped } from '../mapping/mapping-sink.js';
import { RecordBuffer } from '../mapping/record-buffer.js';
import type { MappingOptions } from '../mapping/types.js';
import type { Store } from '../state/store.js';

export interface IngestOptions {
  mapping: MappingOptions;
  maxBufferSize: number;
  bufferFull: 'block' | 'drop_newest';
  now: () => number;
}

export interface ChunkSource {
  /** Counter scope and the identity used for entries without an id. */
  scope: string;
  sourceId: string;
  checkpoint?: { fileId: number; size: number };
}

/** Where the chunk left off: `checkpoint` is committed; when `blocked`, reading must restart there once there is room. */
export interface IngestResult { checkpoint: number; blocked: boolean; events: number }

class ChunkSink implements ReaderSink {
  readonly counts: EntryCounts = emptyCounts();
  dropped = 0;
  cutAt = -1;
  private lastStart = -1;

  constructor(
    private room: number, private readonly bufferEmpty: boolean, private readonly opts: IngestOptions,
    private readonly src: ChunkSource, readonly records: RecordBuffer,
  ) {}

  entry(slp: Obj, start: number, _end: number, index: number): void {
    if (this.cutAt >= 0) return;
    const before = this.records.count;
    const stats = mapEntryInto(slp, this.opts.mapping, { sourceId: this.src.sourceId, start, index, fallbackTimeMs: this.opts.now() }, this.records);
    const n = this.records.count - before;
    if (n > this.room && start !== this.lastStart) {
      if (this.opts.bufferFull === 'drop_newest') {
        this.records.truncate(before);
        this.dropped += n;
        countMapped(this.counts, stats);
        this.lastStart = start;
        return;
      }
      // Block: stop before this entry, unless nothing at all is buffered (one entry larger than the buffer still goes).
      if (!(this.bufferEmpty && before === 0)) {
        this.records.truncate(before);
        this.cutAt = start;
        return;
      }
    }
    this.room -= n;
    this.lastStart = start;
    countMapped(this.counts, stats);
  }

  skip(reason: SkipReason): void {
    if (this.cutAt < 0) countSkip(this.counts, reason);
  }
}

/** Room left in the buffer under the block policy (drop_newest also stops storing at the limit). */
export function roomLeft(store: Store, opts: IngestOptions): number {
  return Math.max(0, opts.maxBufferSize - store.bufferedEvents);
}

/**
 * Feeds `chunk` to the reader and commits the result in one transaction. `eof`: the end of input for now
 * ('soft': an unterminated last entry is read if it parses) or for good ('final': leftovers are counted).
 */
export function ingest(
  store: Store, reader: EntryReader, chunk: Buffer | null, src: ChunkSource, opts: IngestOptions, eof: 'no' | 'soft' | 'final' = 'no',
): IngestResult {
  const records = new RecordBuffer(chunk ? Math.max(1 << 16, chunk.length) : 1 << 12);
  const sink = new ChunkSink(roomLeft(store, opts), store.bufferedEvents === 0, opts, src, records);
  if (chunk) reader.push(chunk, sink);
  if (eof !== 'no' && sink.cutAt < 0) reader.finish(sink, eof === 'final');
  const blocked = sink.cutAt >= 0;
  const checkpoint = blocked ? sink.cutAt : reader.safeOffset;
  store.commitChunk({
    scope: src.scope, records, dropped: sink.dropped, counts: sink.counts,
    checkpoint: src.checkpoint ? { fileId: src.checkpoint.fileId, offset: checkpoint, size: src.checkpoint.size } : undefined,
  });
  return { checkpoint, blocked, events: records.count };
}
