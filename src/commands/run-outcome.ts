// How a run ended, said once: the last log line carries the run's totals, and the exit code and message follow from it.
import type { Logger } from 'pino';
import type { InputProblem } from '../source/input-problems.js';
import { TOTAL } from '../state/counters.js';
import type { Store } from '../state/store.js';

export type RunOutcome = { code: 0 | 1 | 2; message?: string };

/** What this run did, from the counters at its start and at its end. */
export interface RunTotals { entries_read: number; events_accepted: number; dead_lettered: number; events_left: number }

export type CounterSnapshot = Record<string, number>;

export function totalsNow(store: Store): CounterSnapshot {
  return { ...(store.counts.all()[TOTAL] ?? {}) };
}

export interface RunEnd {
  store: Store;
  log: Logger;
  once: boolean;
  stateDir: string;
  /** Counters when the run started. */
  before: CounterSnapshot;
  drained: { ok: true } | { ok: false; reason: string };
  /** A stop signal came (SIGINT, SIGTERM): for --once, not every input was read to its end. */
  interrupted: boolean;
  /** Named inputs that could not be read. */
  unread: readonly InputProblem[];
}

export function concludeRun(end: RunEnd): RunOutcome {
  const { store, log, once, stateDir } = end;
  const now = totalsNow(store);
  const diff = (k: string) => (now[k] ?? 0) - (end.before[k] ?? 0);
  const left = store.refreshBuffered();
  const totals: RunTotals = { entries_read: diff('read'), events_accepted: diff('accepted'), dead_lettered: diff('dead_lettered'), events_left: left };
  const said = totalsText(totals);
  const reason = once && end.interrupted ? 'interrupted' : end.drained.ok ? undefined : end.drained.reason;
  if (reason !== undefined) {
    const pending = store.pendingBatchTotals();
    const detail = { ...totals, batches_left: pending.batches, dead_letters: store.deadLetterCount(), reason };
    if (once) {
      log.error(detail, reason === 'interrupted'
        ? 'interrupted; what was read and not delivered stays in the state directory and is sent by the next run'
        : 'could not deliver everything; what is left stays in the state directory and is sent by the next run');
      return { code: 1, message: `${reason === 'interrupted' ? 'interrupted' : `not delivered (${reason})`}: ${said}; what is left stays in ${stateDir}` };
    }
    log.warn(detail, 'stopped with events still buffered; they are sent when aflo-tail starts again');
    return { code: 0, message: `stopped: ${said}` };
  }
  // Events the backend refused for good during this run: --once did not deliver everything.
  if (once && totals.dead_lettered > 0) {
    log.error({ ...totals, dead_letters: store.deadLetterCount() }, 'stopped; some events were refused by the backend');
    return { code: 1, message: `${totals.dead_lettered} events were refused by the backend and moved to the dead-letter table in ${stateDir} (see aflo-tail dlq list; aflo-tail dlq replay sends them again): ${said}` };
  }
  // Named inputs that could not be read (a glob matching nothing is only a warning): not everything was caught up.
  if (end.unread.length > 0) {
    log.error({ ...totals, inputs: end.unread }, 'stopped; some inputs could not be read');
    return { code: 1, message: `could not read ${end.unread.map((p) => `${p.path} (${p.code})`).join(', ')}; everything read was delivered: ${said}` };
  }
  log.info(totals, totals.dead_lettered > 0 ? 'stopped; everything else was accepted' : 'stopped; everything was accepted');
  return { code: 0, message: `done: ${said}` };
}

function totalsText(t: RunTotals): string {
  return `${t.entries_read} entries read, ${t.events_accepted} events accepted, ${t.dead_lettered} dead-lettered, ${t.events_left} left`;
}
