// Entry and event counters shared by `map`, the pipeline and `status`: read = mapped + not_usage + invalid + too_long.
import type { SkipReason } from './reader.js';

export interface EntryCounts {
  read: number;
  mapped: number;
  not_usage: number;
  invalid: number;
  too_long: number;
  /** Mapped entries with a negative or non-finite count (a meter was left out). */
  inconsistent_usage: number;
  /** Mapped entries with no time of their own. */
  time_missing: number;
  /** Dimension values cut to 200 characters. */
  truncated_dimensions: number;
}

export function emptyCounts(): EntryCounts {
  return { read: 0, mapped: 0, not_usage: 0, invalid: 0, too_long: 0, inconsistent_usage: 0, time_missing: 0, truncated_dimensions: 0 };
}

export function countSkip(c: EntryCounts, reason: SkipReason): void {
  c.read++;
  c[reason]++;
}
