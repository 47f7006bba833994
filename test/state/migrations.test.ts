// A state directory written by an earlier version is migrated in place: its checkpoints keep their offsets and are
// still found for their files (by head hash, without head bytes or marks); its batches, cut before the ledger,
// count in it by their bodies once accepted.
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveCheckpoint, readHead } from '../../src/source/identity.js';
import { SCHEMA_V1, SCHEMA_V2, SCHEMA_V3 } from '../../src/state/sql.js';
import { SCHEMA_VERSION } from '../../src/state/migrations.js';
import { buildBatch } from '../../src/ship/batch-body.js';
import { slabFrom } from '../../src/state/slab.js';
import { Store } from '../../src/state/store.js';
import { slpLine, tempDir } from '../helpers.js';

const dir = tempDir();
const batchDir = tempDir();

describe('schema migration', () => {
  it('from schema 2: rows kept, a file resumes at its old checkpoint', async () => {
    const state = join(dir.path, 'state');
    mkdirSync(state);
    const log = join(dir.path, 'a.jsonl');
    const text = Array.from({ length: 20 }, (_, i) => slpLine(`m${i}`)).join('\n') + '\n';
    writeFileSync(log, text);
    const h = await open(log, 'r');
    const head = await readHead(h, text.length);
    const old = new Database(join(state, 'state.db'));
    old.exec(SCHEMA_V1);
    old.exec(SCHEMA_V2);
    old.pragma('user_version = 2');
    old.prepare('INSERT INTO files (path, dev, ino, head_len, head_hash, offset, size, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(log, '1', '2', head.len, head.hash, 500, text.length, 1);
    old.close();
    const store = Store.open(state, () => 5);
    try {
      const check = new Database(join(state, 'state.db'), { readonly: true });
      expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      check.close();
      const st = await h.stat({ bigint: true });
      const r = await resolveCheckpoint(store, { path: log, dev: String(st.dev), ino: String(st.ino), size: text.length, handle: h }, new Set(), false, 7);
      // Resumed at its offset; from now on its entries without a time get the time it was first seen here.
      expect(r).toMatchObject({ resumed: true, record: { offset: 500, first_seen_ms: 7 } });
    } finally {
      store.close();
      await h.close();
      dir.remove();
    }
  });

  it('from schema 3: a batch cut before the ledger counts in it, from its body, once accepted', () => {
    const state = join(batchDir.path, 'state');
    mkdirSync(state, { recursive: true });
    const old = new Database(join(state, 'state.db'));
    for (const schema of [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3]) old.exec(schema);
    old.pragma('user_version = 3');
    const records = [1, 2].map((i) => Buffer.from(JSON.stringify({ uniqueId: `u${i}`, meterApiName: 'm', meterValue: 5, meterTimeInMillis: 7_200_000, dimensions: { model: 'x' } })));
    const { key, body } = buildBatch([slabFrom(records)], 0, 'p');
    old.prepare('INSERT INTO batches (lo, hi, key, body, event_count, created_ms) VALUES (1, 2, ?, ?, 2, 1)').run(key, body);
    old.close();
    const store = Store.open(state, () => 5);
    try {
      store.ackBatches(store.pendingBatches(10));
      expect(store.ledger.rows(0, 1e13)).toEqual([expect.objectContaining({ hour_ms: 7_200_000, meter: 'm', model: 'x', shipped_events: 2, shipped_value: 10, read_events: 0 })]);
    } finally {
      store.close();
      batchDir.remove();
    }
  });
});
