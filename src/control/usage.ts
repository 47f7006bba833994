// `usage` and `cancel`: the request bodies of Amberflo's usage query and custom filtering rules.
import { controlRequest, type ControlOptions } from './client.js';

const INTERVALS: Record<string, string> = { hour: 'HOUR', day: 'DAY', week: 'WEEK', month: 'MONTH' };

/** Seconds since the epoch from an ISO date or a number of seconds; undefined when unreadable. */
export function toSeconds(v: string): number | undefined {
  if (/^\d+$/.test(v.trim())) return Number(v);
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

export interface UsageQuery { meterApiName: string; start?: number; end?: number; interval?: string; groupBy?: string[] }

export function usageBody(q: UsageQuery, nowSeconds: number): object {
  const end = q.end ?? nowSeconds;
  const start = q.start ?? end - 86_400;
  return {
    meterApiName: q.meterApiName,
    aggregation: 'SUM',
    timeGroupingInterval: INTERVALS[q.interval ?? 'day'],
    ...(q.groupBy && q.groupBy.length > 0 ? { groupBy: q.groupBy } : {}),
    timeRange: { startTimeInSeconds: start, endTimeInSeconds: end },
  };
}

export const fetchUsage = (o: ControlOptions, q: UsageQuery, nowSeconds: number) => controlRequest(o, 'POST', '/usage', usageBody(q, nowSeconds), `usage of ${q.meterApiName}`);

export interface CancelRule { ruleId: string; meterApiName: string; start: number; end: number; customerId?: string; dimensions?: Record<string, string[]> }

export function cancelBody(r: CancelRule): object {
  return {
    id: r.ruleId,
    meterApiName: r.meterApiName,
    ingestionTimeRange: { startTimeInSeconds: r.start, endTimeInSeconds: r.end },
    type: 'by_property_filter_out',
    ...(r.customerId ? { customerId: r.customerId } : {}),
    ...(r.dimensions && Object.keys(r.dimensions).length > 0 ? { dimensions: r.dimensions } : {}),
  };
}

export const cancelUsage = (o: ControlOptions, r: CancelRule) => controlRequest(o, 'POST', '/ingest-snapshot/custom-filtering-rules', cancelBody(r), `meter ${r.meterApiName}`);


/** One value of a usage answer: its bucket's start, the group it is for (by name), the sum. */
export interface UsagePoint { periodMs: number; group: Record<string, string>; value: number }

/**
 * The points of Amberflo's usage answer: `clientMeters[].group.groupInfo` names the group (absent: the meter as a
 * whole) and `values[]` hold `secondsSinceEpochUtc` and `value` (gaps filled with zeros). Unreadable parts are none.
 */
export function usagePoints(answer: unknown): UsagePoint[] {
  const meters = (answer as { clientMeters?: unknown })?.clientMeters;
  if (!Array.isArray(meters)) return [];
  const points: UsagePoint[] = [];
  for (const m of meters as { group?: { groupInfo?: Record<string, unknown> } | null; values?: unknown }[]) {
    const info = m?.group?.groupInfo ?? {};
    const group = Object.fromEntries(Object.entries(info).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
    for (const v of Array.isArray(m?.values) ? (m.values as { secondsSinceEpochUtc?: unknown; value?: unknown }[]) : []) {
      const at = Number(v?.secondsSinceEpochUtc);
      const value = Number(v?.value);
      if (Number.isFinite(at) && Number.isFinite(value)) points.push({ periodMs: at * 1000, group, value });
    }
  }
  return points;
}
