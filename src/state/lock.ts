// One process per state directory: an exclusive lock on a small SQLite file, which the kernel releases when the
// holder dies (kill -9, a container restart), so no stale lock ever blocks a start.
import Database, { type Database as Db } from 'better-sqlite3';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateState } from './open-db.js';

export type LockResult = { ok: true; release: () => void } | { ok: false; pid: number };

/** The lock file (POSIX advisory lock, taken through SQLite) and, beside it, the holder's pid for messages only. */
const LOCK_FILE = 'aflo-tail.lock.db';
const PID_FILE = 'aflo-tail.pid';
/** The pid file of versions that locked by it alone: removed once the real lock is held. */
const LEGACY_LOCK = 'aflo-tail.lock';

/** "(pid N)" when the holder's pid is known. */
export function holderText(pid: number): string {
  return Number.isNaN(pid) ? '' : ` (pid ${pid})`;
}

export function acquireLock(stateDir: string, pid: number): LockResult {
  let opened: Db | undefined;
  try {
    privateState(stateDir, LOCK_FILE);
    const db = (opened = new Database(join(stateDir, LOCK_FILE)));
    db.pragma('busy_timeout = 0');
    // Exclusive locking mode: the first write takes the file's exclusive lock and keeps it until the connection
    // closes or the process ends; another process (or connection) gets SQLITE_BUSY at once.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER)');
    db.transaction(() => {
      db.exec('DELETE FROM holder');
      db.prepare('INSERT INTO holder (pid) VALUES (?)').run(pid);
    })();
  } catch (err) {
    opened?.close();
    if (isBusy(err)) return { ok: false, pid: holderPid(stateDir) };
    throw err;
  }
  try { writeFileSync(join(stateDir, PID_FILE), `${pid}\n`, { mode: 0o600 }); } catch { /* informational only */ }
  try { unlinkSync(join(stateDir, LEGACY_LOCK)); } catch { /* none */ }
  let released = false;
  return {
    ok: true,
    release: () => {
      if (released) return;
      released = true;
      try { if (holderPid(stateDir) === pid) unlinkSync(join(stateDir, PID_FILE)); } catch { /* already gone */ }
      opened!.close();
    },
  };
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** The pid the holder wrote (NaN when not readable yet: it writes it right after taking the lock). */
function holderPid(stateDir: string): number {
  try {
    const n = Number(readFileSync(join(stateDir, PID_FILE), 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : NaN;
  } catch {
    return NaN;
  }
}
