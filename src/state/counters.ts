// Counters in the state database, in total (scope '') and per source: what was read, mapped, skipped and why,
// produced, accepted, dropped. Added to inside the store's transactions, so they move with what they count.
import type { Statement } from 'better-sqlite3';

export type CounterMap = Record<string, Record<string, number>>;

/** The scope of the totals. */
export const TOTAL = '';

export class Counters {
  /** `addOne`, `readAll`: the store's prepared SQL.addCounter and SQL.counters. */
  constructor(private readonly addOne: Statement, private readonly readAll: Statement) {}

  add(scope: string, name: string, value: number): void {
    if (value !== 0) this.addOne.run(scope, name, value);
  }

  /** Each count added to the totals and, for a source's scope, to that scope too. */
  addAll(scope: string, counts: Record<string, number>): void {
    for (const name in counts) {
      const value = counts[name];
      this.add(TOTAL, name, value);
      if (scope !== TOTAL) this.add(scope, name, value);
    }
  }

  /** Every counter, by scope then name. */
  all(): CounterMap {
    const out: CounterMap = {};
    for (const r of this.readAll.all() as { scope: string; name: string; value: number }[]) {
      (out[r.scope] ??= {})[r.name] = r.value;
    }
    return out;
  }
}
