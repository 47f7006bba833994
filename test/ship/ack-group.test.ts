// Grouped acknowledgements against a real store: committed at the window or the row cap, safe to commit twice,
// and a commit that fails leaves every batch pending and says so.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { emptyCounts } from '../../src/entries/counts.js';
import { RecordBuffer } from '../../src/mapping/record-buffer.js';
import { AckGroup } from '../../src/ship/ack-group.js';
import { buildBatch } from '../../src/ship/batch-body.js';
import { Store } from '../../src/state/store.js';
import { tempDir } from '../helpers.js';

let dir: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(() => {
  dir = tempDir();
  store = Store.open(join(dir.path, 'state'), Date.now);
  store.configureBatching(10, (parts) => buildBatch(parts, 0, 'p'));
  const buf = new RecordBuffer();
  for (let i = 0; i < 50; i++) { buf.text(JSON.stringify({ uniqueId: `u${i}`, meterApiName: 'm', meterValue: 1, meterTimeInMillis: 0 }), true); buf.endRecord(); }
  store.commitPiece({ scope: 'test', records: buf.slab(), dropped: 0, counts: emptyCounts() });
});
afterEach(() => { store.close(); dir.remove(); });

it('commits when it holds maxRows, at once, and again only for what came after', () => {
  const commits: unknown[] = [];
  const acks = new AckGroup(store, { windowMs: 60_000, maxRows: 3, maxEvents: 1000, onCommit: (err) => commits.push(err) });
  const rows = store.pendingBatches(5);
  acks.add(rows[0]);
  acks.add(rows[1]);
  expect(acks.ids).toEqual([rows[0].id, rows[1].id]);
  expect(store.pendingBatchTotals().batches).toBe(5);
  acks.add(rows[2]);
  expect(store.pendingBatchTotals()).toEqual({ batches: 2, events: 20 });
  expect(commits).toEqual([undefined]);
  acks.add(rows[3]);
  acks.commit();
  acks.commit();
  expect(commits).toEqual([undefined, undefined]);
  expect(store.counts.all()['']).toMatchObject({ accepted: 40 });
});

it('commits once it holds maxEvents events', () => {
  const acks = new AckGroup(store, { windowMs: 60_000, maxRows: 100, maxEvents: 25, onCommit: () => undefined });
  const rows = store.pendingBatches(3);
  acks.add(rows[0]);
  acks.add(rows[1]);
  expect(store.pendingBatchTotals().batches).toBe(5);
  acks.add(rows[2]);
  expect(store.pendingBatchTotals().batches).toBe(2);
});

it('commits after the window', async () => {
  const acks = new AckGroup(store, { windowMs: 20, maxRows: 100, maxEvents: 1000, onCommit: () => undefined });
  acks.add(store.pendingBatches(1)[0]);
  expect(store.pendingBatchTotals().batches).toBe(5);
  await new Promise((r) => setTimeout(r, 200));
  expect(store.pendingBatchTotals().batches).toBe(4);
});

it('a commit that fails reports the error and leaves the batches pending', () => {
  const errors: unknown[] = [];
  const acks = new AckGroup(store, { windowMs: 60_000, maxRows: 100, maxEvents: 1000, onCommit: (err) => errors.push(err) });
  const rows = store.pendingBatches(2);
  for (const row of rows) acks.add(row);
  // The second delete fails, after the first succeeded: the whole group is rolled back.
  // Another connection, as an operator's sqlite3 would: the trigger makes the store's next delete fail.
  const other = new Database(join(dir.path, 'state', 'state.db'));
  other.exec(`CREATE TRIGGER no_delete BEFORE DELETE ON batches WHEN old.id = ${rows[1].id} BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
  other.close();
  expect(() => acks.commit()).not.toThrow();
  expect(String(errors[0])).toContain('disk says no');
  expect(acks.ids).toEqual([]);
  expect(store.pendingBatchTotals().batches).toBe(5);
  expect(store.bufferedEvents).toBe(50);
  expect(store.counts.all()['']?.accepted ?? 0).toBe(0);
});
