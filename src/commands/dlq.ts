// `aflo-tail dlq list|replay`: show dead-lettered events with the backend's answer, or put them back to be sent.
// Only the process holding the state directory numbers events: a replay while a daemon runs is asked of it.
import type { Settings } from '../config/settings.js';
import { sleep } from '../util/waiting.js';
import { acquireLock, holderText } from '../state/lock.js';
import { checkWritableStateDir, stateDbPresent } from '../state/state-dir.js';
import { Store } from '../state/store.js';

export function listDeadLetters(s: Settings, now: () => number): string {
  const present = stateDbPresent(s.stateDir);
  if (present !== true) {
    if (present) throw present;
    return '';
  }
  const store = Store.open(s.stateDir, now, { readonly: true });
  try {
    return store.deadLetters().map((d) => JSON.stringify({
      id: d.id, status: d.status, reason: d.reason, dead_lettered_at: new Date(d.created_ms).toISOString(), event: JSON.parse(d.record),
    }) + '\n').join('');
  } finally {
    store.close();
  }
}

export interface ReplayDeps { now: () => number; pid: number; waitMs?: number }

/** Replayed here (no daemon runs), by the running daemon `pid`, or asked of it and not answered in time. */
export type ReplayOutcome = { replayed: number; daemon?: number } | { queued: true; daemon: number };

export async function replayDeadLetters(s: Settings, deps: ReplayDeps): Promise<ReplayOutcome> {
  const present = stateDbPresent(s.stateDir);
  if (present !== true) {
    if (present) throw present;
    return { replayed: 0 };
  }
  const unusable = checkWritableStateDir(s.stateDir, ['state.db', 'aflo-tail.lock.db']);
  if (unusable) throw unusable;
  const lock = acquireLock(s.stateDir, deps.pid);
  const store = Store.open(s.stateDir, deps.now);
  try {
    if (lock.ok) return { replayed: store.replayDeadLetters() };
    // A daemon owns the state: the request waits in the database for it (it looks every second).
    const id = store.requestReplay();
    const until = deps.now() + (deps.waitMs ?? 15_000);
    while (deps.now() < until) {
      const n = store.requestResult(id);
      if (n !== undefined) return { replayed: n, daemon: lock.pid };
      await sleep(100);
    }
    return { queued: true, daemon: lock.pid };
  } finally {
    store.close();
    if (lock.ok) lock.release();
  }
}

export function describeReplay(r: ReplayOutcome): { text: string; code: number } {
  if ('queued' in r) {
    return { text: `the running aflo-tail${holderText(r.daemon)} has not answered yet; it replays the dead letters when it next looks\n`, code: 1 };
  }
  if (r.daemon !== undefined) return { text: `replayed ${r.replayed} dead-lettered events; the running aflo-tail${holderText(r.daemon)} sends them\n`, code: 0 };
  return { text: `replayed ${r.replayed} dead-lettered events; the next run of aflo-tail sends them\n`, code: 0 };
}
