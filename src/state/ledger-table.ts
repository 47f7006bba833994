// The ledger's rows (sql.ts SCHEMA_V4): totals added in the store's transactions, hours summed into days once they
// are old (`compact`), read back by `report` and `audit`.
import type { Statement } from 'better-sqlite3';
import { SEP } from '../ledger/ledger-key.js';
import type { KeyIndex, Tally } from '../ledger/totals.js';

export type LedgerKind = 'read' | 'shipped' | 'dead';
const COLUMN: Record<LedgerKind, number> = { read: 0, shipped: 1, dead: 2 };

/** `hour_ms`: the start of the row's hour, or of its day for hours summed into days (`span_ms`). */
export interface LedgerRow {
  hour_ms: number; span_ms?: number; meter: string; type: string; cache: string; business_unit_id: string; model: string; customer: string;
  read_events: number; read_value: number; shipped_events: number; shipped_value: number; dead_events: number; dead_value: number;
}

type Stmts = { ledgerKeyId: Statement; insertLedgerKey: Statement; addLedger: Statement; ledgerRows: Statement; rollUpLedger: Statement;
  dropLedgerHours: Statement; dropLedgerDays: Statement; oldestLedgerHour: Statement };

export class LedgerTable {
  /** Database key ids by key number (KeyIndex), known to be committed (a rolled-back transaction: `forget`). */
  private ids = new Map<number, { hourMs: number; keyId: number }>();

  constructor(private readonly s: Stmts, private readonly index: KeyIndex) {}

  /** Inside a transaction: adds each kind's tally to its columns, one row write per key whatever the kinds. */
  add(tallies: Record<LedgerKind, Tally>): void {
    const rows = new Map<number, number[]>();
    for (const kind of Object.keys(tallies) as LedgerKind[]) {
      const t = tallies[kind];
      const c = COLUMN[kind] * 2;
      for (let i = 0; i < t.ids.length; i++) {
        if (t.events[i] === 0 && t.values[i] === 0) continue;
        let d = rows.get(t.ids[i]);
        if (!d) rows.set(t.ids[i], (d = [0, 0, 0, 0, 0, 0]));
        d[c] += t.events[i];
        d[c + 1] += t.values[i];
      }
    }
    for (const [id, d] of rows) {
      const { hourMs, keyId } = this.keyOf(id);
      this.s.addLedger.run(hourMs, keyId, d[0], d[1], d[2], d[3], d[4], d[5]);
    }
  }

  private keyOf(id: number): { hourMs: number; keyId: number } {
    let known = this.ids.get(id);
    if (known) return known;
    const key = this.index.keys[id];
    const cut = key.indexOf(SEP);
    const parts = key.slice(cut + 1).split(SEP);
    const keyId = (this.s.ledgerKeyId.get(...parts) as { id: number } | undefined)?.id ?? Number(this.s.insertLedgerKey.run(...parts).lastInsertRowid);
    this.ids.set(id, (known = { hourMs: Number(key.slice(0, cut)), keyId }));
    return known;
  }

  /** After a transaction rolled back: ids it made are gone. */
  forget(): void {
    this.ids = new Map();
  }

  rows(fromMs: number, toMs: number): LedgerRow[] {
    return this.s.ledgerRows.all({ from: fromMs, to: toMs }) as LedgerRow[];
  }

  /** The first hour still kept by the hour (hours before it are in days), or undefined when none is. */
  oldestHour(): number | undefined {
    return (this.s.oldestLedgerHour.get() as { t: number | null }).t ?? undefined;
  }

  /** Inside a transaction: hours before `hourlyFromMs` (a day's start) go into their days; days before `keepFromMs` go. */
  compact(hourlyFromMs: number, keepFromMs: number): void {
    this.s.rollUpLedger.run({ before: hourlyFromMs });
    this.s.dropLedgerHours.run(hourlyFromMs);
    this.s.dropLedgerDays.run(keepFromMs);
    this.s.dropLedgerHours.run(keepFromMs);
  }
}
