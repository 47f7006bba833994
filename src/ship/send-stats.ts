// Send statistics for /metrics: a latency histogram (seconds) and a count per kind of answer.
import type { SendResult } from '../backends/types.js';

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface SendStats { latency: number[]; latencySum: number; sends: Record<string, number> }

export function newSendStats(): SendStats {
  return { latency: LATENCY_BUCKETS.map(() => 0), latencySum: 0, sends: {} };
}

/** One send took `seconds` and was answered `kind`. */
export function countSend(stats: SendStats, seconds: number, kind: SendResult['kind']): void {
  stats.latencySum += seconds;
  LATENCY_BUCKETS.forEach((b, i) => { if (seconds <= b) stats.latency[i]++; });
  stats.sends[kind] = (stats.sends[kind] ?? 0) + 1;
}
