// Opens the state database with the settings the store relies on (WAL, its durability, its size), migrated.
import Database, { type Database as Db } from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { readableStateError } from './state-dir.js';
import { StartError } from '../config/start-error.js';

/** `readonly` for `status` while a daemon runs: the file must exist and nothing is changed. */
export function openStateDb(stateDir: string, opts: { readonly?: boolean } = {}): Db {
  if (opts.readonly) return current(openForReading(join(stateDir, 'state.db'), stateDir), stateDir);
  privateState(stateDir, 'state.db');
  const db = new Database(join(stateDir, 'state.db'));
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  // FULL: every commit (cut batches, checkpoints, acknowledgements) is on disk before it returns. Under NORMAL a
  // power loss could roll back a cut or an acknowledgement whose batch the backend already had; cut again, the
  // batch would not be byte-identical (timing, several files' order), so an object store got it twice.
  db.pragma('synchronous = FULL');
  db.pragma('wal_autocheckpoint = 16384');
  db.pragma('journal_size_limit = 67108864');
  migrate(db);
  return db;
}

/**
 * Read-only. A reader of a WAL database needs its shared-memory file, which it makes when no writer is open; a user
 * who may read the database but not write in its directory (status as another user, a read-only volume) cannot. With
 * no writer, the database file alone holds everything (a clean close merges the WAL): then it is read from a copy in
 * memory. Errors are a StateDirError naming the path and what to do.
 */
function openForReading(path: string, stateDir: string): Db {
  let db: Db | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (err) {
    db?.close();
    if (walBytes(path) > 0) throw readableStateError(stateDir, err);
  }
  try {
    const bytes = readFileSync(path);
    // Bytes 18 and 19 say "WAL" (2); a database in memory has none: read it as a rollback-journal one (1).
    if (bytes.length > 19 && bytes[18] === 2) bytes[18] = bytes[19] = 1;
    return new Database(bytes, { readonly: true });
  } catch (err) {
    throw readableStateError(stateDir, err);
  }
}

/**
 * A reader never migrates: a database an older aflo-tail wrote (its daemon still running after an upgrade) is said
 * to be so (exit 1), rather than failing on a table it lacks.
 */
function current(db: Db, stateDir: string): Db {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= SCHEMA_VERSION) return db;
  db.close();
  throw new StartError(`the state in ${stateDir} was written by an older aflo-tail (schema ${version}, this one reads ${SCHEMA_VERSION}): ` +
    'restart the daemon (or run aflo-tail --once) with this version to upgrade it, then ask again', 1);
}

function walBytes(path: string): number {
  try { return statSync(`${path}-wal`).size; } catch { return 0; }
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
