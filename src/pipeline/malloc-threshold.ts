// glibc serves an allocation above a threshold with its own mapping, given back when freed, and raises that threshold
// to the size of each such block freed (up to 32 MB): after the first 1 MB line, buffers of up to that size came from
// the heap arenas and stayed resident, fragmented. A fixed threshold (1 MiB) turns that off: 7 MB less at the peak in a
// --once run (mallopt(3), M_MMAP_THRESHOLD). Set once at start, for every thread. Without the addon, or on another C
// library, nothing changes.
import { fastMapAddon } from '../mapping/fast-mapper.js';

export const MMAP_THRESHOLD_BYTES = 1 << 20;

/** Whether the threshold was fixed. */
export function fixMmapThreshold(bytes = MMAP_THRESHOLD_BYTES): boolean {
  return fastMapAddon()?.fixMmapThreshold?.(bytes) ?? false;
}
