// Prometheus text exposition of aflo-tail's counters, buffer, files and sends.
import type { Flusher } from '../ship/flusher.js';
import { LATENCY_BUCKETS } from '../ship/send-stats.js';
import type { FileSource } from '../source/file-source.js';
import { TOTAL, type Store } from '../state/store.js';

export interface MetricsSources {
  store: Store; flusher: Flusher; files?: FileSource; now: () => number;
  /** The backend this process sends with, and the buffer's cap (AFLO_MAX_BUFFER_SIZE). */
  backend: string; maxBufferSize: number;
  /** What /healthz answers. */
  healthy: () => boolean;
}

const ENTRY_KINDS = ['mapped', 'not_usage', 'invalid', 'too_long'];
const EVENT_KINDS = ['accepted', 'dead_lettered', 'dropped'];

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderMetrics(m: MetricsSources): string {
  const out: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) out.push(`${name}${labels} ${v}`);
  };
  const c = m.store.counts.all()[TOTAL] ?? {};
  metric('aflo_entries_read_total', 'counter', 'Log entries read.', [['', c.read ?? 0]]);
  metric('aflo_entries_total', 'counter', 'Log entries by outcome.', ENTRY_KINDS.map((k) => [`{outcome="${k}"}`, c[k] ?? 0]));
  metric('aflo_events_produced_total', 'counter', 'Meter events produced by the mapping.', [['', c.produced ?? 0]]);
  metric('aflo_events_total', 'counter', 'Meter events by outcome.', EVENT_KINDS.map((k) => [`{outcome="${k}"}`, c[k] ?? 0]));
  metric('aflo_buffer_events', 'gauge', 'Events waiting in the buffer.', [['', m.store.bufferedEvents]]);
  metric('aflo_buffer_capacity_events', 'gauge', 'Events the buffer holds at most (AFLO_MAX_BUFFER_SIZE).', [['', m.maxBufferSize]]);
  const oldest = m.store.oldestBufferedMs();
  metric('aflo_buffer_oldest_age_seconds', 'gauge', 'Age of the oldest buffered event.', [['', oldest === undefined ? 0 : (m.now() - oldest) / 1000]]);
  metric('aflo_dead_letters', 'gauge', 'Events in the dead-letter table.', [['', m.store.deadLetterCount()]]);
  const files = m.files?.files ?? [];
  // A rotated file still draining and its successor share a path: the inode tells their series apart.
  const fileLabels = (f: (typeof files)[number]) => `{path="${esc(f.path)}",inode="${esc(f.compressed?.ino ?? f.record.ino)}"}`;
  metric('aflo_file_read_bytes', 'gauge', 'Bytes read per followed file.', files.map((f) => [fileLabels(f), f.readPosition]));
  metric('aflo_file_size_bytes', 'gauge', 'Size per followed file.', files.map((f) => [fileLabels(f), f.size]));
  const problems = m.files?.problems;
  metric('aflo_input_problems', 'gauge', 'Inputs that cannot be read (unreadable), named but missing, or globs matching nothing.',
    (problems?.list ?? []).map((p) => [`{path="${esc(p.path)}",problem="${p.kind}",code="${esc(p.code)}"}`, 1]));
  metric('aflo_input_problems_total', 'counter', 'Times an input was found unreadable, missing or matching nothing.', [['', problems?.appeared ?? 0]]);
  const s = m.flusher.stats;
  out.push('# HELP aflo_send_duration_seconds Time to send one batch.', '# TYPE aflo_send_duration_seconds histogram');
  LATENCY_BUCKETS.forEach((b, i) => out.push(`aflo_send_duration_seconds_bucket{le="${b}"} ${s.latency[i]}`));
  const sends = Object.values(s.sends).reduce((a, b) => a + b, 0);
  out.push(`aflo_send_duration_seconds_bucket{le="+Inf"} ${sends}`, `aflo_send_duration_seconds_sum ${s.latencySum}`, `aflo_send_duration_seconds_count ${sends}`);
  metric('aflo_sends_total', 'counter', 'Batch sends by answer.', Object.entries(s.sends).map(([k, v]) => [`{result="${k}"}`, v]));
  metric('aflo_send_concurrency', 'gauge', 'Batches that may be in flight now (adapted up to AFLO_SEND_CONCURRENCY).', [['', m.flusher.concurrency.limit]]);
  metric('aflo_send_rtt_seconds', 'gauge', 'Mean round trip of a send, as the concurrency is adapted by.', [['', (m.flusher.concurrency.rttMs ?? 0) / 1000]]);
  metric('aflo_retries_total', 'counter', 'Sends that will be retried.', [['', (s.sends.retry ?? 0) + (s.sends.misconfigured ?? 0)]]);
  metric('aflo_healthy', 'gauge', '1 when /healthz answers 200, else 0.', [['', m.healthy() ? 1 : 0]]);
  // The backend as an info metric: joined onto counters (group_left) rather than put on series kept across runs.
  metric('aflo_backend_info', 'gauge', 'The backend this process sends with.', [[`{backend="${esc(m.backend)}"}`, 1]]);
  metric('aflo_last_success_timestamp_seconds', 'gauge', 'When a batch was last accepted.', [['', (m.store.meta.lastSuccessMs ?? 0) / 1000]]);
  return out.join('\n') + '\n';
}
