// `aflo-tail dlq list|replay`: show dead-lettered events with the backend's answer, or put them back to be sent.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { Store } from '../state/store.js';

export function listDeadLetters(s: Settings, now: () => number): string {
  if (!existsSync(join(s.stateDir, 'state.db'))) return '';
  const store = Store.open(s.stateDir, now, { readonly: true });
  try {
    return store.deadLetters().map((d) => JSON.stringify({
      id: d.id, status: d.status, reason: d.reason, dead_lettered_at: new Date(d.created_ms).toISOString(), event: JSON.parse(d.record),
    }) + '\n').join('');
  } finally {
    store.close();
  }
}

export function replayDeadLetters(s: Settings, now: () => number): number {
  if (!existsSync(join(s.stateDir, 'state.db'))) return 0;
  const store = Store.open(s.stateDir, now);
  try {
    return store.replayDeadLetters();
  } finally {
    store.close();
  }
}
