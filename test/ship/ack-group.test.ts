// Grouped acknowledgements against a real store: committed at the window or the row cap, with the next commit of
// read events, safe to commit twice, and a commit that fails leaves every batch pending and says so.
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
  const acks = new AckGroup(store, { windowMs: 60_000, maxRows: 3, maxEvents: 1000, onCommit: (err) => commits.push(err), bufferSize: 0 });
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

const piece = (n: number) => {
  const buf = new RecordBuffer();
  for (let i = 0; i < n; i++) { buf.text(JSON.stringify({ uniqueId: `n${i}`, meterApiName: 'm', meterValue: 1, meterTimeInMillis: 0 }), true); buf.endRecord(); }
  return { scope: 'test', records: buf.slab(), dropped: 0, counts: emptyCounts() };
};

it('rides on the next commit of read events, in its transaction', () => {
  const commits: unknown[] = [];
  const acks = new AckGroup(store, { windowMs: 60_000, maxRows: 100, maxEvents: 1000, onCommit: (err) => commits.push(err), bufferSize: 100 });
  const rows = store.pendingBatches(2);
  for (const row of rows) acks.add(row);
  store.commitPiece(piece(3));
  expect(commits).toEqual([undefined]);
  expect(acks.ids).toEqual([]);
  expect(store.pendingBatchTotals()).toEqual({ batches: 3, events: 30 });
  expect(store.bufferedEvents).toBe(33);
  expect(store.counts.all()['']).toMatchObject({ accepted: 20, produced: 53 });
});

it('a commit of read events that fails leaves its acknowledgements to be recorded alone', () => {
  const commits: unknown[] = [];
  const acks = new AckGroup(store, { windowMs: 60_000, maxRows: 100, maxEvents: 1000, onCommit: (err) => commits.push(err), bufferSize: 100 });
  const rows = store.pendingBatches(2);
  for (const row of rows) acks.add(row);
  const other = new Database(join(dir.path, 'state', 'state.db'));
  other.exec(`CREATE TRIGGER no_segment BEFORE INSERT ON segments BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
  expect(() => store.commitPiece(piece(3))).toThrow(/disk says no/);
  expect(commits).toEqual([]);
  expect(acks.ids).toEqual(rows.map((r) => r.id));
  expect(store.pendingBatchTotals().batches).toBe(5);
  other.exec('DROP TRIGGER no_segment');
  other.close();
  acks.commit();
  expect(commits).toEqual([undefined]);
  expect(store.pendingBatchTotals()).toEqual({ batches: 3, events: 30 });
  expect(store.counts.all()['']).toMatchObject({ accepted: 20 });
});

it('commits once it holds maxEvents events while the buffer is short of room', () => {
  for (const [bufferSize, left] of [[1000, 5], [60, 2]]) {
    const acks = new AckGroup(store, { windowMs: 60_000, maxRows: 100, maxEvents: 25, onCommit: () => undefined, bufferSize });
    for (const row of store.pendingBatches(3)) acks.add(row);
    // 50 events buffered: a buffer of 1000 has room, one of 60 is short of it.
    expect(store.pendingBatchTotals().batches).toBe(left);
    acks.commit();
    store.commitPiece(piece(30));
  }
});

it('commits after the window', async () => {
  const acks = new AckGroup(store, { windowMs: 20, maxRows: 100, maxEvents: 1000, onCommit: () => undefined, bufferSize: 0 });
  acks.add(store.pendingBatches(1)[0]);
  expect(store.pendingBatchTotals().batches).toBe(5);
  await new Promise((r) => setTimeout(r, 200));
  expect(store.pendingBatchTotals().batches).toBe(4);
});

it('a commit that fails reports the error and leaves the batches pending', () => {
  const errors: unknown[] = [];
  const acks = new AckGroup(store, { windowMs: 60_000, maxRows: 100, maxEvents: 1000, onCommit: (err) => errors.push(err), bufferSize: 0 });
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
