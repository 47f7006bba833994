// The ledger in the store's transactions: whatever mix of commits, cuts, acknowledgements, refusals, replays and
// failed transactions, every key balances (read = shipped + dead-lettered + still buffered), and each event counts once.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { emptyCounts } from '../../src/entries/counts.js';
import { bodyRecords, buildBatch } from '../../src/ship/batch-body.js';
import { slabFrom } from '../../src/state/slab.js';
import { Store } from '../../src/state/store.js';
import { tempDir } from '../helpers.js';

const op = fc.oneof(
  fc.record({ kind: fc.constant('commit' as const), n: fc.integer({ min: 1, max: 12 }), hour: fc.integer({ min: 0, max: 3 }), meter: fc.constantFrom('a', 'b') }),
  fc.record({ kind: fc.constant('cut' as const) }),
  fc.record({ kind: fc.constant('ack' as const), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('refuse' as const) }),
  fc.record({ kind: fc.constant('replay' as const) }),
  fc.record({ kind: fc.constant('failing-ack' as const) }),
);

type Totals = Map<string, { read: number; shipped: number; dead: number }>;

function ledgerTotals(store: Store): Totals {
  const t: Totals = new Map();
  for (const r of store.ledger.rows(0, Number.MAX_SAFE_INTEGER)) {
    const k = `${r.hour_ms}/${r.meter}`;
    const v = t.get(k) ?? { read: 0, shipped: 0, dead: 0 };
    v.read += r.read_value;
    v.shipped += r.shipped_value;
    v.dead += r.dead_value;
    t.set(k, v);
  }
  return t;
}

it('balances per key and counts each event once, whatever happens', () => {
  fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
    const dir = tempDir();
    const store = Store.open(join(dir.path, 'state'), () => 0);
    const build = (parts: Parameters<typeof buildBatch>[0]) => buildBatch(parts, 0, 'p');
    store.configureBatching(5, build);
    const written = new Map<string, number>();
    let id = 0;
    try {
      for (const o of ops) {
        if (o.kind === 'commit') {
          const records = Array.from({ length: o.n }, () => Buffer.from(JSON.stringify({
            uniqueId: `u${id++}`, meterApiName: o.meter, meterValue: 2, meterTimeInMillis: o.hour * 3_600_000 + 5, dimensions: { type: 'in' } })));
          store.commitPiece({ scope: 't', records: slabFrom(records), dropped: 0, counts: emptyCounts() });
          const k = `${o.hour * 3_600_000}/${o.meter}`;
          written.set(k, (written.get(k) ?? 0) + 2 * o.n);
        } else if (o.kind === 'cut') store.cutBatch(5, build);
        else if (o.kind === 'ack') store.ackBatches(store.pendingBatches(o.n));
        else if (o.kind === 'refuse') {
          const [b] = store.pendingBatches(1);
          if (b) store.deadLetterBatch(b, bodyRecords(b.body), 400, 'no');
        } else if (o.kind === 'replay') store.replayDeadLetters();
        else {
          // A transaction that fails half-way changes nothing (the key ids it made are forgotten too).
          const other = new Database(join(dir.path, 'state', 'state.db'));
          other.exec("CREATE TRIGGER no BEFORE INSERT ON meta WHEN new.key = 'last_success' BEGIN SELECT RAISE(ABORT, 'no'); END");
          expect(() => store.ackBatches(store.pendingBatches(2))).toThrow();
          other.exec('DROP TRIGGER no');
          other.close();
        }
        const buffered = new Map<string, number>();
        for (const [k, v] of ledgerTotals(store)) buffered.set(k, v.read - v.shipped - v.dead);
        // What the ledger says is still buffered is what the buffer holds.
        expect([...buffered.values()].reduce((a, b) => a + b, 0)).toBe(2 * store.bufferedEvents);
      }
      store.replayDeadLetters();
      store.cutBatch(1000, build);
      for (let b = store.pendingBatches(1000); b.length > 0; b = store.pendingBatches(1000)) store.ackBatches(b);
      const final = ledgerTotals(store);
      expect(Object.fromEntries([...final].map(([k, v]) => [k, [v.read, v.shipped, v.dead]])))
        .toEqual(Object.fromEntries([...written].map(([k, v]) => [k, [v, v, 0]])));
    } finally {
      store.close();
      dir.remove();
    }
  }), { numRuns: 60 });
});

it('sums hours older than the hourly window into days, keeps later events for the next pass, and drops what is too old', () => {
  const dir = tempDir();
  const store = Store.open(join(dir.path, 'state'), () => 0);
  const DAY = 86_400_000;
  const commit = (hourMs: number, n: number) => store.commitPiece({ scope: 't', dropped: 0, counts: emptyCounts(), records: slabFrom(
    Array.from({ length: n }, (_, i) => Buffer.from(JSON.stringify({ uniqueId: `u${hourMs}-${i}`, meterApiName: 'm', meterValue: 3, meterTimeInMillis: hourMs + 1, dimensions: {} })))) });
  try {
    commit(0, 1);
    commit(10 * DAY + 3_600_000, 2);
    commit(10 * DAY + 7 * 3_600_000, 4);
    commit(12 * DAY, 8);
    store.compactLedger(12 * DAY, 5 * DAY);
    const rows = store.ledger.rows(0, 100 * DAY).map((r) => [r.hour_ms / DAY, r.span_ms, r.read_events, r.read_value]);
    expect(rows).toEqual([[10, DAY, 6, 18], [12, 3_600_000, 8, 24]]);
    // An event of an hour already summed arrives late: hourly until the next pass adds it to its day.
    commit(10 * DAY + 9 * 3_600_000, 1);
    store.compactLedger(12 * DAY, 5 * DAY);
    expect(store.ledger.rows(10 * DAY, 11 * DAY).map((r) => [r.span_ms, r.read_events])).toEqual([[DAY, 7]]);
    expect(store.ledger.oldestHour()).toBe(12 * DAY);
  } finally {
    store.close();
    dir.remove();
  }
});
