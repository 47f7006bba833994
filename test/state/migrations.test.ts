// A state directory written by the previous version (schema 2) is migrated in place: its checkpoints keep their
// offsets and are still found for their files (by head hash, without head bytes or marks).
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveCheckpoint, readHead } from '../../src/source/identity.js';
import { SCHEMA_V1, SCHEMA_V2 } from '../../src/state/sql.js';
import { Store } from '../../src/state/store.js';
import { slpLine, tempDir } from '../helpers.js';

const dir = tempDir();

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
      expect(check.pragma('user_version', { simple: true })).toBe(3);
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
});
