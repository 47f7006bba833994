// What mapping one entry noticed beside its records, as one type for both mappers, and the single number each item
// of a decoded piece carries (what it became: mapped with these notes, or skipped and why), counted one way.
import { countSkip, type EntryCounts } from '../entries/counts.js';
import type { SkipReason } from '../entries/reader.js';

export interface EntryNotes {
  /** A count was negative or not finite: a meter was left out (inconsistent_usage). */
  inconsistent: boolean;
  /** The entry had no time of its own (time_missing). */
  timeMissing: boolean;
  /** Dimension values cut to 200 characters. */
  truncated: number;
}

// An item's info: the low two bits its kind (0 mapped, else 1 + the skip reason's index), then the notes.
const SKIPS: readonly SkipReason[] = ['not_usage', 'invalid', 'too_long'];
const INCONSISTENT = 4;
const TIME_MISSING = 8;
const TRUNCATED_SHIFT = 8;

/** The info of a mapped entry. */
export function mappedInfo(n: EntryNotes): number {
  return (n.inconsistent ? INCONSISTENT : 0) | (n.timeMissing ? TIME_MISSING : 0) | (n.truncated << TRUNCATED_SHIFT);
}

/** The info of a mapped entry whose notes are two flags (the native mapper truncates nothing: it hands such back). */
export function mappedFlags(inconsistent: boolean, timeMissing: boolean): number {
  return (inconsistent ? INCONSISTENT : 0) | (timeMissing ? TIME_MISSING : 0);
}

export function skippedInfo(reason: SkipReason): number {
  return SKIPS.indexOf(reason) + 1;
}

export function isMapped(info: number): boolean {
  return (info & 3) === 0;
}

export function notesOf(info: number): EntryNotes {
  return { inconsistent: (info & INCONSISTENT) !== 0, timeMissing: (info & TIME_MISSING) !== 0, truncated: info >>> TRUNCATED_SHIFT };
}

/** Counts one item by its info: read, and mapped with its notes or skipped with its reason. */
export function countItem(c: EntryCounts, info: number): void {
  if (!isMapped(info)) return countSkip(c, SKIPS[(info & 3) - 1]);
  c.read++;
  c.mapped++;
  if (info & INCONSISTENT) c.inconsistent_usage++;
  if (info & TIME_MISSING) c.time_missing++;
  c.truncated_dimensions += info >>> TRUNCATED_SHIFT;
}
