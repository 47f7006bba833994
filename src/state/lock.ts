// One process per state directory: a lock file holding the owner's pid, taken over only when that process is gone.
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type LockResult = { ok: true; release: () => void } | { ok: false; pid: number };

export function acquireLock(stateDir: string, pid: number, isAlive: (pid: number) => boolean): LockResult {
  const path = join(stateDir, 'aflo-tail.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        ok: true,
        release: () => {
          if (released) return;
          released = true;
          try { if (readFileSync(path, 'utf8').trim() === String(pid)) unlinkSync(path); } catch { /* already gone */ }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try { holder = Number(readFileSync(path, 'utf8').trim()); } catch { continue; }
    if (Number.isInteger(holder) && holder > 0 && holder !== pid && isAlive(holder)) return { ok: false, pid: holder };
    // Stale: its owner died (kill -9, reboot). Move it aside atomically so only one newcomer takes it.
    try { renameSync(path, `${path}.stale.${pid}`); unlinkSync(`${path}.stale.${pid}`); } catch { /* someone else took it */ }
  }
  return { ok: false, pid: NaN };
}
