// `aflo-tail report`: the ledger's totals for a time range, by hour or day and by any of its groups (what a finance
// team reads): meter values read from the logs, accepted by the backend, dead-lettered, and not yet shipped.
import type { Settings } from '../config/settings.js';
import { bucketRows, isoPeriod, parseGroups, wholePeriods, type Bucket, type Interval } from '../ledger/buckets.js';
import type { LedgerGroup } from '../ledger/ledger-key.js';
import { toSeconds } from '../control/usage.js';
import type { LedgerRow } from '../state/ledger-table.js';
import { stateDbPresent } from '../state/state-dir.js';
import { Store } from '../state/store.js';
import type { Row } from '../util/tabular.js';

export class ReportArgError extends Error {}

/** `intervalGiven`: --interval was given (otherwise hours kept as days turn an hourly range into days). */
export interface Range { startMs: number; endMs: number; interval: Interval; groups: LedgerGroup[]; intervalGiven: boolean }

/** `--start`, `--end` (default: the 24 hours before now), `--interval`, `--group-by`; whole periods, UTC. */
export function rangeFrom(args: Record<string, unknown>, nowMs: number, defaults: { interval: Interval; groups: LedgerGroup[] }): Range {
  const time = (flag: string, fallback: number) => {
    const v = args[flag];
    if (v === undefined) return fallback;
    const s = toSeconds(String(v));
    if (s === undefined) throw new ReportArgError(`--${flag}: not a time (give an ISO date or seconds since the epoch)`);
    return s * 1000;
  };
  const endMs = time('end', nowMs);
  const startMs = time('start', endMs - 86_400_000);
  if (startMs >= endMs) throw new ReportArgError('--start must be before --end');
  const interval = (args.interval as Interval | undefined) ?? defaults.interval;
  const given = ([] as unknown[]).concat(args['group-by'] ?? []).map(String);
  const parsed = parseGroups(given);
  if (!parsed.ok) throw new ReportArgError(`--group-by: unknown group ${parsed.unknown} (meter, type, cache, business_unit_id, model, customer)`);
  return { ...wholePeriods(startMs, endMs, interval), interval, groups: given.length > 0 ? parsed.groups : defaults.groups,
    intervalGiven: args.interval !== undefined };
}

/**
 * The ledger rows of the range and the backend last used, read in one snapshot (a daemon may be writing). Hours
 * summed into days (AFLO_LEDGER_HOURLY_DAYS) cannot be split again: an hourly range reaching them becomes a daily one
 * (`range` is changed, and a note says so), or is refused when --interval hour was given.
 */
export function readLedger(s: Settings, now: () => number, range: Range): { rows: LedgerRow[]; backend?: string; notes: string[] } {
  const present = stateDbPresent(s.stateDir);
  if (present !== true) {
    if (present) throw present;
    throw new ReportArgError(`no state in ${s.stateDir}: aflo-tail has not run with this AFLO_STATE_DIR (--state-dir)`);
  }
  const store = Store.open(s.stateDir, now, { readonly: true });
  try {
    return store.snapshot(() => {
      let rows = store.ledger.rows(range.startMs, range.endMs);
      const notes: string[] = [];
      if (range.interval === 'hour' && rows.some((r) => r.span_ms === 86_400_000)) {
        const first = store.ledger.oldestHour();
        const kept = `hours before ${first === undefined ? 'now' : new Date(first).toISOString()} are kept as days (AFLO_LEDGER_HOURLY_DAYS)`;
        if (range.intervalGiven) throw new ReportArgError(`--interval hour: ${kept}; use --interval day for that range, or a later --start`);
        Object.assign(range, wholePeriods(range.startMs, range.endMs, 'day'), { interval: 'day' });
        rows = store.ledger.rows(range.startMs, range.endMs);
        notes.push(`${kept}: shown by the day`);
      }
      return { rows, backend: store.meta.backend, notes };
    });
  } finally {
    store.close();
  }
}

/** Sums are of floating-point values: six decimals say everything a meter value holds. */
export const amount = (v: number): number => Number(v.toFixed(6)) + 0;

export function reportColumns(groups: LedgerGroup[]): string[] {
  return ['period', ...groups, 'read', 'shipped', 'dead_lettered', 'not_shipped', 'events_read', 'events_shipped', 'events_dead_lettered'];
}

export function reportRows(buckets: Bucket[], r: Range): Row[] {
  return buckets.map((b) => ({
    period: isoPeriod(b.periodMs, r.interval),
    ...Object.fromEntries(r.groups.map((g, i) => [g, b.groups[i]])),
    read: amount(b.read.value), shipped: amount(b.shipped.value), dead_lettered: amount(b.dead.value),
    not_shipped: amount(b.read.value - b.shipped.value - b.dead.value),
    events_read: b.read.events, events_shipped: b.shipped.events, events_dead_lettered: b.dead.events,
  }));
}

export function report(s: Settings, args: Record<string, unknown>, now: () => number): { columns: string[]; rows: Row[]; range: Range; notes: string[] } {
  const range = rangeFrom(args, now(), { interval: 'day', groups: ['meter'] });
  const { rows, notes } = readLedger(s, now, range);
  return { columns: reportColumns(range.groups), rows: reportRows(bucketRows(rows, range.interval, range.groups), range), range, notes };
}
