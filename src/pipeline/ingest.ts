// One read chunk → mapped events → one SQLite commit with the new checkpoint, within the buffer's limit.
import { emptyCounts, countSkip, type EntryCounts } from '../entries/counts.js';
import type { EntryReader, ReaderSink, SkipReason } from '../entries/reader.js';
import type { Obj } from '../entries/recognise.js';
import { mapEntryRecords } from '../mapping/map-entry.js';
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
  readonly records: string[] = [];
  readonly counts: EntryCounts = emptyCounts();
  dropped = 0;
  cutAt = -1;
  private lastStart = -1;

  constructor(private room: number, private readonly bufferEmpty: boolean, private readonly opts: IngestOptions, private readonly src: ChunkSource) {}

  entry(slp: Obj, start: number, end: number, index: number): void {
    if (this.cutAt >= 0) return;
    const m = mapEntryRecords(slp, this.opts.mapping, { sourceId: this.src.sourceId, start, index, fallbackTimeMs: this.opts.now() });
    const n = m.records.length;
    if (n > this.room && start !== this.lastStart) {
      if (this.opts.bufferFull === 'drop_newest') {
        this.dropped += n;
        this.countMapped(m.inconsistent, m.timeMissing, m.truncated);
        this.lastStart = start;
        return;
      }
      // Block: stop before this entry, unless nothing at all is buffered (one entry larger than the buffer still goes).
      if (!(this.bufferEmpty && this.records.length === 0)) {
        this.cutAt = start;
        return;
      }
    }
    for (let i = 0; i < n; i++) this.records.push(m.records[i]);
    this.room -= n;
    this.lastStart = start;
    this.countMapped(m.inconsistent, m.timeMissing, m.truncated);
  }

  private countMapped(inconsistent: boolean, timeMissing: boolean, truncated: number): void {
    this.counts.read++;
    this.counts.mapped++;
    if (inconsistent) this.counts.inconsistent_usage++;
    if (timeMissing) this.counts.time_missing++;
    this.counts.truncated_dimensions += truncated;
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
  const sink = new ChunkSink(roomLeft(store, opts), store.bufferedEvents === 0, opts, src);
  if (chunk) reader.push(chunk, sink);
  if (eof !== 'no' && sink.cutAt < 0) reader.finish(sink, eof === 'final');
  const blocked = sink.cutAt >= 0;
  const checkpoint = blocked ? sink.cutAt : reader.safeOffset;
  store.commitChunk({
    scope: src.scope, records: sink.records, dropped: sink.dropped, counts: sink.counts,
    checkpoint: src.checkpoint ? { fileId: src.checkpoint.fileId, offset: checkpoint, size: src.checkpoint.size } : undefined,
  });
  return { checkpoint, blocked, events: sink.records.length };
}
