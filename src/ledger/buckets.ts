// Ledger rows summed into buckets: a period (hour or day, UTC) and the chosen groups, for `report` and `audit`.
import type { LedgerRow } from '../state/ledger-table.js';
import { LEDGER_GROUPS, type LedgerGroup } from './ledger-key.js';

export type Interval = 'hour' | 'day';
export const INTERVAL_MS: Record<Interval, number> = { hour: 3_600_000, day: 86_400_000 };

export interface Amounts { events: number; value: number }
export interface Bucket {
  periodMs: number;
  /** The value of each chosen group, in the order asked for. */
  groups: string[];
  read: Amounts;
  shipped: Amounts;
  dead: Amounts;
}

export function periodOf(ms: number, interval: Interval): number {
  return Math.floor(ms / INTERVAL_MS[interval]) * INTERVAL_MS[interval];
}

/** A time range widened to whole periods: `[start, end)` in ms. */
export function wholePeriods(startMs: number, endMs: number, interval: Interval): { startMs: number; endMs: number } {
  const size = INTERVAL_MS[interval];
  return { startMs: periodOf(startMs, interval), endMs: Math.ceil(endMs / size) * size };
}

/** `--group-by a,b`: known groups, or the first unknown one. */
export function parseGroups(given: string[]): { ok: true; groups: LedgerGroup[] } | { ok: false; unknown: string } {
  const groups: LedgerGroup[] = [];
  for (const g of given.flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '')) {
    if (!(LEDGER_GROUPS as readonly string[]).includes(g)) return { ok: false, unknown: g };
    if (!groups.includes(g as LedgerGroup)) groups.push(g as LedgerGroup);
  }
  return { ok: true, groups };
}

const zero = (): Amounts => ({ events: 0, value: 0 });

/** Sums rows into buckets, ordered by period and then by group values. */
export function bucketRows(rows: LedgerRow[], interval: Interval, groups: LedgerGroup[]): Bucket[] {
  const byKey = new Map<string, Bucket>();
  for (const r of rows) {
    const periodMs = periodOf(r.hour_ms, interval);
    const values = groups.map((g) => r[g]);
    const key = JSON.stringify([periodMs, values]);
    let b = byKey.get(key);
    if (!b) byKey.set(key, (b = { periodMs, groups: values, read: zero(), shipped: zero(), dead: zero() }));
    b.read.events += r.read_events;
    b.read.value += r.read_value;
    b.shipped.events += r.shipped_events;
    b.shipped.value += r.shipped_value;
    b.dead.events += r.dead_events;
    b.dead.value += r.dead_value;
  }
  return [...byKey.values()].sort((a, b) => a.periodMs - b.periodMs || compareGroups(a.groups, b.groups));
}

export function compareGroups(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** Values summed in another order differ in their last bits: equal within a millionth (or 1e-6 absolute). */
export function sameAmount(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

export function isoPeriod(ms: number, interval: Interval): string {
  const iso = new Date(ms).toISOString();
  return interval === 'day' ? iso.slice(0, 10) : iso.slice(0, 13) + ':00Z';
}
