// What of a decoded piece enters the buffer: all of it while there is room; at the limit, `block` stops before
// the first entry that does not fit (it is read again later) and `drop_newest` counts its events as dropped.
import { countSkip, emptyCounts, type EntryCounts } from '../entries/counts.js';
import { countMapped } from '../mapping/mapping-sink.js';
import { joinSlabs, slabRange, type Slab } from '../state/segments.js';
import { FLAG_INCONSISTENT, FLAG_TIME_MISSING, KIND_MAPPED, SKIP_KINDS, TRUNCATED_SHIFT, type Decoded } from './decode.js';

export interface AdmitPolicy { bufferFull: 'block' | 'drop_newest' }

export interface Admitted {
  records: Slab;
  counts: EntryCounts;
  dropped: number;
  /** Where reading must restart under `block` (the first entry left out), or -1 when everything was taken. */
  cutAt: number;
}

/** `room`: events the buffer still takes; `bufferEmpty`: one entry larger than the whole buffer still goes in. */
export function admit(d: Decoded, room: number, bufferEmpty: boolean, policy: AdmitPolicy): Admitted {
  const counts = emptyCounts();
  const kept: [number, number][] = [];
  let keptCount = 0;
  let dropped = 0;
  let cutAt = -1;
  let lastStart = -1;
  let prev = 0;
  for (let i = 0; i < d.starts.length; i++) {
    const info = d.info[i];
    const kind = info & 3;
    if (kind !== KIND_MAPPED) {
      countSkip(counts, SKIP_KINDS[kind - 1]);
      continue;
    }
    const start = d.starts[i];
    const from = prev;
    const to = (prev = d.recordsAfter[i]);
    const n = to - from;
    const stats = { inconsistent: (info & FLAG_INCONSISTENT) !== 0, timeMissing: (info & FLAG_TIME_MISSING) !== 0, truncated: info >>> TRUNCATED_SHIFT };
    if (n > room && start !== lastStart) {
      if (policy.bufferFull === 'drop_newest') {
        dropped += n;
        countMapped(counts, stats);
        lastStart = start;
        continue;
      }
      if (!(bufferEmpty && keptCount === 0)) {
        cutAt = start;
        break;
      }
    }
    room -= n;
    lastStart = start;
    countMapped(counts, stats);
    if (n === 0) continue;
    const last = kept[kept.length - 1];
    if (last && last[1] === from) last[1] = to;
    else kept.push([from, to]);
    keptCount += n;
  }
  const whole = kept.length === 1 && kept[0][0] === 0 && kept[0][1] === d.ends.length;
  const slab = { data: d.data, ends: d.ends };
  const records = whole ? slab : kept.length === 0 ? { data: Buffer.alloc(0), ends: [] } : joinSlabs(kept.map(([a, b]) => slabRange(slab, a, b)));
  return { records, counts, dropped, cutAt };
}
