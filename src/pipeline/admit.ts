// What of a decoded piece enters the buffer: all of it while there is room; at the limit, `block` stops before
// the first entry that does not fit (it is read again later) and `drop_newest` counts its events as dropped.
import { emptyCounts, type EntryCounts } from '../entries/counts.js';
import { countItem, isMapped } from '../mapping/entry-notes.js';
import { joinSlabs, slabRange, type Slab } from '../state/slab.js';
import type { Decoded } from './decode.js';

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
    if (!isMapped(info)) {
      countItem(counts, info);
      continue;
    }
    const start = d.starts[i];
    const from = prev;
    const to = (prev = d.recordsAfter[i]);
    const n = to - from;
    if (n > room && start !== lastStart) {
      if (policy.bufferFull === 'drop_newest') {
        dropped += n;
        countItem(counts, info);
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
    countItem(counts, info);
    if (n === 0) continue;
    const last = kept[kept.length - 1];
    if (last && last[1] === from) last[1] = to;
    else kept.push([from, to]);
    keptCount += n;
  }
  const whole = kept.length === 1 && kept[0][0] === 0 && kept[0][1] === d.ends.length;
  const slab = { data: d.data, ends: d.ends, ...(d.tags ? { tags: d.tags } : {}), ...(d.built ? { built: d.built } : {}) };
  const records = whole ? slab : kept.length === 0 ? { data: Buffer.alloc(0), ends: [] } : joinSlabs(kept.map(([a, b]) => slabRange(slab, a, b)));
  return { records, counts, dropped, cutAt };
}
