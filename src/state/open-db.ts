// Opens the state database with the settings the store relies on (WAL, its durability, its size), migrated.
import Database, { type Database as Db } from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrations.js';

/** `readonly` for `status` while a daemon runs: the file must exist and nothing is changed. */
export function openStateDb(stateDir: string, opts: { readonly?: boolean } = {}): Db {
  if (!opts.readonly) privateState(stateDir, 'state.db');
  const db = new Database(join(stateDir, 'state.db'), { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // FULL: every commit (cut batches, checkpoints, acknowledgements) is on disk before it returns. Under NORMAL a
    // power loss could roll back a cut or an acknowledgement whose batch the backend already had; cut again, the
    // batch would not be byte-identical (timing, several files' order), so an object store got it twice.
    db.pragma('synchronous = FULL');
    db.pragma('wal_autocheckpoint = 16384');
    db.pragma('journal_size_limit = 67108864');
    migrate(db);
  }
  return db;
}

/**
 * The state directory 0700 and `file` in it 0600 (it holds every buffered event): made so, or put so when it exists
 * (when this user may). SQLite gives its WAL and shared-memory files the database file's mode.
 */
export function privateState(stateDir: string, file: string): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, file);
  closeSync(openSync(path, 'a', 0o600));
  for (const [p, mode] of [[stateDir, 0o700], [path, 0o600]] as const) {
    try { chmodSync(p, mode); } catch { /* not ours to change: the owner chose */ }
  }
}
