// Joins the entry reader to the mapper: each entry is mapped and counted, each skip is counted.
import { countSkip, type EntryCounts } from '../entries/counts.js';
import type { ReaderSink, SkipReason } from '../entries/reader.js';
import type { Obj } from '../entries/recognise.js';
import { mapEntryRecords } from './map-entry.js';
import type { MappedRecords, MappingOptions } from './types.js';

export class MappingSink implements ReaderSink {
  constructor(
    private readonly opts: MappingOptions,
    private readonly sourceId: string,
    private readonly counts: EntryCounts,
    private readonly emit: (mapped: MappedRecords, end: number) => void,
    private readonly now: () => number,
  ) {}

  entry(slp: Obj, start: number, end: number, index: number): void {
    const r = mapEntryRecords(slp, this.opts, { sourceId: this.sourceId, start, index, fallbackTimeMs: this.now() });
    this.counts.read++;
    this.counts.mapped++;
    if (r.inconsistent) this.counts.inconsistent_usage++;
    if (r.timeMissing) this.counts.time_missing++;
    this.counts.truncated_dimensions += r.truncated;
    this.emit(r, end);
  }

  skip(reason: SkipReason): void {
    countSkip(this.counts, reason);
  }
}
