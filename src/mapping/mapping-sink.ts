// Joins the entry reader to the mapper for `map`: each entry's records are written out, each skip is counted.
import { countSkip, type EntryCounts } from '../entries/counts.js';
import type { ReaderSink, SkipReason } from '../entries/reader.js';
import type { Obj } from '../entries/recognise.js';
import { FAST_INCONSISTENT, FAST_TIME_MISSING, FastMapper } from './fast-mapper.js';
import { mapEntryInto } from './map-entry.js';
import type { RecordBuffer } from './record-buffer.js';
import type { MappingOptions } from './types.js';

export class MappingSink implements ReaderSink {
  private readonly fast: FastMapper | undefined;

  constructor(
    private readonly opts: MappingOptions,
    private readonly sourceId: string,
    private readonly counts: EntryCounts,
    private readonly out: RecordBuffer,
    private readonly now: () => number,
  ) {
    this.fast = FastMapper.for(opts);
  }

  line(bytes: Buffer, from: number, to: number): boolean {
    const flags = this.fast === undefined ? -1 : this.fast.mapLine(bytes, from, to, this.out, this.now());
    if (flags < 0) return false;
    countMapped(this.counts, { inconsistent: (flags & FAST_INCONSISTENT) !== 0, timeMissing: (flags & FAST_TIME_MISSING) !== 0, truncated: 0 });
    return true;
  }

  entry(slp: Obj, start: number, _end: number, index: number): void {
    const r = mapEntryInto(slp, this.opts, { sourceId: this.sourceId, start, index, fallbackTimeMs: this.now() }, this.out);
    countMapped(this.counts, r);
  }

  skip(reason: SkipReason): void {
    countSkip(this.counts, reason);
  }
}

export function countMapped(c: EntryCounts, r: { inconsistent: boolean; timeMissing: boolean; truncated: number }): void {
  c.read++;
  c.mapped++;
  if (r.inconsistent) c.inconsistent_usage++;
  if (r.timeMissing) c.time_missing++;
  c.truncated_dimensions += r.truncated;
}
