// A commit that fails (here: an operator's sqlite3 holding the write lock past the 5 s busy timeout, the same path
// as a full disk) changes nothing in memory, stops no process, and loses or doubles nothing: file, stdin, /ingest.
import Database from 'better-sqlite3';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { finished, start } from './cli.js';
import { balanced, Daemon, delivered, deliveredIds, fastEnv, freePort, status, useWorkspace, waitFor } from './harness.js';

const ws = useWorkspace();
let state: string, out: string, logs: string;
beforeEach(() => ({ state, out, logs } = ws));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (from: number, n: number, p = 'w') => Array.from({ length: n }, (_, i) => slpLine(`${p}${from + i}`) + '\n').join('');
const ids = (n: number, p = 'w') => Array.from({ length: n }, (_, i) => `${p}${i}`).sort();

/** Holds the state database's write lock for `ms`, as `sqlite3 state.db 'BEGIN IMMEDIATE'` would. */
async function holdWriteLock(stateDir: string, ms: number, meanwhile: () => Promise<void>): Promise<void> {
  const db = new Database(join(stateDir, 'state.db'));
  db.exec('BEGIN IMMEDIATE');
  try {
    await meanwhile();
    await sleep(ms);
  } finally {
    db.exec('ROLLBACK');
    db.close();
  }
}

describe('the state database cannot be written for a while', () => {
  it('file and /ingest: reading pauses, /ingest answers 503 and ships nothing of it, everything else arrives once', async () => {
    const app = join(logs, 'app.log');
    writeFileSync(app, lines(0, 10));
    const port = await freePort();
    const d = new Daemon([app], fastEnv(state, out, { AFLO_HTTP_ADDR: String(port), AFLO_BATCH_SIZE: '10' }));
    await waitFor(() => deliveredIds(out).length === 10, 'first lines');
    let ingestStatus = 0;
    let health = 0;
    await holdWriteLock(state, 6500, async () => {
      appendFileSync(app, lines(10, 10));
      const r = await fetch(`http://127.0.0.1:${port}/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId: 't', meterApiName: 'api_calls', meterValue: 1, uniqueId: 'held-1' }) });
      ingestStatus = r.status;
      health = (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
    });
    expect(ingestStatus).toBe(503);
    expect(health).toBe(503);
    appendFileSync(app, lines(20, 10));
    await waitFor(() => deliveredIds(out).length === 30, 'every line after the lock is released', 30_000);
    expect(d.child.exitCode).toBeNull();
    const r = await d.stop();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('cannot write the state database');
    expect(r.stderr).toContain('writable again');
    expect(deliveredIds(out)).toEqual(ids(30));
    expect(delivered(out).some((x) => x.includes('held-1'))).toBe(false);
    const s = await status(state);
    expect(balanced(s)).toBe(true);
    expect(s.events).toMatchObject({ produced: 120, accepted: 120, buffered: 0 });
  }, 60_000);

  it('stdin: reading pauses and goes on; later lines are not lost and the daemon is not stopped', async () => {
    const child = start(['-'], fastEnv(state, out, { AFLO_BATCH_SIZE: '10' }));
    const done = finished(child);
    child.stdin!.write(lines(0, 10, 's'));
    await waitFor(() => deliveredIds(out).length === 10, 'first stdin lines');
    await holdWriteLock(state, 6500, async () => {
      child.stdin!.write(lines(10, 10, 's'));
    });
    child.stdin!.write(lines(20, 10, 's'));
    await waitFor(() => deliveredIds(out).length === 30, 'every stdin line', 30_000);
    child.stdin!.end();
    const r = await done;
    expect(r.code).toBe(0);
    expect(deliveredIds(out)).toEqual(ids(30, 's'));
    expect(balanced(await status(state))).toBe(true);
  }, 60_000);
});
