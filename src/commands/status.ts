// `aflo-tail status [--json]`: counters, buffer, files and offsets, dead letters, last send; readable while the daemon runs.
import type { Settings } from '../config/settings.js';
import { stateDbPresent } from '../state/state-dir.js';
import { Store, TOTAL, type FileRecord } from '../state/store.js';

const ENTRY_KEYS = ['read', 'mapped', 'not_usage', 'invalid', 'too_long'] as const;
const ENTRY_EXTRA = ['inconsistent_usage', 'time_missing', 'truncated_dimensions'] as const;

export interface Status {
  entries: Record<string, number>;
  events: { produced: number; accepted: number; buffered: number; dead_lettered: number; dropped: number };
  /** `rotated`: an earlier file at that path (renamed or compressed away); the one there now has the newest record. */
  files: { path: string; inode: string; rotated: boolean; offset: number; size: number; entries: Record<string, number>; truncations: number; gap_bytes: number }[];
  /** `type`: the backend the last run sent with (`configured`, when the settings now name another). */
  backend: {
    type: string; configured?: string; last_success: string | null; last_error: { at: string; reason: string; status?: number } | null;
    /** At the last acknowledgement: batches allowed in flight (adaptive) and the mean round trip. */
    sending?: { at: string; concurrency: number; rtt_ms: number | null };
  };
  buffer: { pending_batches: number; oldest_buffered_at: string | null };
  dead_letters: number;
  state_dir: string;
}

export function readStatus(s: Settings, now: () => number): Status {
  const empty = (): Record<string, number> => Object.fromEntries([...ENTRY_KEYS, ...ENTRY_EXTRA].map((k) => [k, 0]));
  const base: Status = {
    entries: empty(), events: { produced: 0, accepted: 0, buffered: 0, dead_lettered: 0, dropped: 0 }, files: [],
    backend: { type: s.backend, last_success: null, last_error: null },
    buffer: { pending_batches: 0, oldest_buffered_at: null }, dead_letters: 0, state_dir: s.stateDir,
  };
  const present = stateDbPresent(s.stateDir);
  if (present !== true) {
    if (present) throw present;
    return base;
  }
  const store = Store.open(s.stateDir, now, { readonly: true });
  try {
    // One read transaction: a snapshot of the WAL, so counters, buffer and batches balance while a daemon commits.
    return store.snapshot(() => fill(store, base));
  } finally {
    store.close();
  }
}

/** Every field of the status, read in the caller's transaction. */
function fill(store: Store, base: Status): Status {
  const counters = store.counts.all();
  const total = counters[TOTAL] ?? {};
  const pick = (c: Record<string, number>, k: string) => c[k] ?? 0;
  for (const k of Object.keys(base.entries)) base.entries[k] = pick(total, k);
  const buffered = store.refreshBuffered(true);
  base.events = {
    produced: pick(total, 'produced'), accepted: pick(total, 'accepted'), buffered,
    dead_lettered: pick(total, 'dead_lettered'), dropped: pick(total, 'dropped'),
  };
  const all = store.files.allFiles();
  const newest = new Map<string, number>();
  for (const f of all) newest.set(f.path, Math.max(newest.get(f.path) ?? 0, f.id));
  base.files = all.map((f: FileRecord) => {
    const c = counters[`file:${f.id}`] ?? {};
    return {
      path: f.path, inode: f.ino, rotated: newest.get(f.path) !== f.id, offset: f.offset, size: f.size,
      entries: Object.fromEntries(ENTRY_KEYS.map((k) => [k, pick(c, k)])), truncations: pick(c, 'truncations'), gap_bytes: pick(c, 'gap_bytes'),
    };
  });
  const used = store.meta.backend;
  if (used && used !== base.backend.type) base.backend = { ...base.backend, type: used, configured: base.backend.type };
  const sending = store.meta.sending;
  if (sending) base.backend.sending = { ...sending, at: new Date(sending.at).toISOString() };
  const success = store.meta.lastSuccessMs;
  const e = store.meta.lastError;
  base.backend.last_success = success !== undefined ? new Date(success).toISOString() : null;
  if (e) {
    base.backend.last_error = { at: new Date(e.at).toISOString(), reason: e.reason, ...(e.status !== undefined ? { status: e.status } : {}) };
  }
  const oldest = store.oldestBufferedMs();
  base.buffer = {
    pending_batches: store.pendingBatchTotals().batches,
    oldest_buffered_at: oldest !== undefined ? new Date(oldest).toISOString() : null,
  };
  base.dead_letters = store.deadLetterCount();
  return base;
}

export function formatStatus(st: Status): string {
  const lines = [
    `state: ${st.state_dir}`,
    `entries: ${Object.entries(st.entries).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `events: ${Object.entries(st.events).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `buffer: pending_batches=${st.buffer.pending_batches} oldest_buffered_at=${st.buffer.oldest_buffered_at ?? '-'}`,
    `backend: ${st.backend.type}${st.backend.configured ? ` (the settings now say ${st.backend.configured})` : ''}${st.backend.sending ? ` concurrency=${st.backend.sending.concurrency} rtt_ms=${st.backend.sending.rtt_ms?.toFixed(1) ?? '-'}` : ''} last_success=${st.backend.last_success ?? '-'} last_error=${st.backend.last_error ? `${st.backend.last_error.at} ${st.backend.last_error.reason}` : '-'}`,
    `dead letters: ${st.dead_letters}${st.dead_letters > 0 ? ' (aflo-tail dlq list; aflo-tail dlq replay once the cause is fixed)' : ''}`,
    'files:',
    ...st.files.map((f) => `  ${f.path} (inode ${f.inode}${f.rotated ? ', rotated' : ''})  offset=${f.offset} size=${f.size} read=${f.entries.read}${f.gap_bytes ? ` gap_bytes=${f.gap_bytes}` : ''}`),
  ];
  return lines.join('\n') + '\n';
}
