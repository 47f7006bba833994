// The api backend against a fake Amberflo ingest server: every fault of the README's answers table, then recovery.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../e2e/cli.js';
import { balanced, fastEnv, lastLog, status } from '../e2e/harness.js';
import { FakeIngest } from '../fakes/ingest-server.js';
import { slpLine, tempDir } from '../helpers.js';

const KEY = 'afl-test-key-8f3a2c';
let dir: ReturnType<typeof tempDir>;
let server: FakeIngest;
let state: string, log: string;
const N = 40;
const ids = Array.from({ length: N }, (_, i) => `r${String(i).padStart(2, '0')}`);

beforeEach(async () => {
  dir = tempDir();
  state = join(dir.path, 'state');
  mkdirSync(join(dir.path, 'logs'));
  log = join(dir.path, 'logs', 'a.jsonl');
  writeFileSync(log, ids.map((id) => slpLine(id)).join('\n') + '\n');
  server = new FakeIngest(KEY);
  await server.start();
});
afterEach(async () => { await server.stop(); dir.remove(); });

const env = (extra: Record<string, string> = {}) => ({
  ...fastEnv(state, join(dir.path, 'unused')), AFLO_BACKEND_TYPE: 'api', AFLO_API_ENDPOINT: server.url, AFLO_API_KEY: KEY,
  AFLO_BATCH_SIZE: '20', AFLO_REQUEST_TIMEOUT: '1', ...extra,
});
const once = (extra: Record<string, string> = {}) => run(['--once', log], env(extra));

describe('api backend', () => {
  it('posts gzip JSON arrays with the key to <endpoint>/ingest and everything arrives once', async () => {
    const r = await once();
    expect(r.code).toBe(0);
    expect(server.ids()).toEqual(ids);
    expect([...server.accepted.values()].every((n) => n === 1)).toBe(true);
    expect(server.requests).toBe(8);
  });

  it('retries 503 bursts until accepted', async () => {
    server.script = ({ n }) => (n <= 4 ? { status: 503 } : undefined);
    expect((await once()).code).toBe(0);
    expect(server.ids()).toEqual(ids);
  });

  it('honours Retry-After on 429', async () => {
    server.script = ({ n }) => (n === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : undefined);
    const t0 = Date.now();
    expect((await once()).code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(server.ids()).toEqual(ids);
  });

  it('splits a batch on 413 until it fits', async () => {
    server.script = ({ records }) => (records.length > 6 ? { status: 413 } : undefined);
    expect((await once()).code).toBe(0);
    expect(server.ids()).toEqual(ids);
  });

  it('dead-letters only the refused events on 400 (--once exits 1 saying so), and replays them once the cause is fixed', async () => {
    let fixed = false;
    server.script = ({ records }) => (!fixed && records.some((r) => r.uniqueId === 'r07' || r.uniqueId === 'r31') ? { status: 400, body: '{"message":"bad record"}' } : undefined);
    const first = await once();
    expect(first.code).toBe(1);
    expect(lastLog(first.stderr)).toMatchObject({ msg: 'stopped; some events were refused by the backend', dead_lettered: 8 });
    // One log line per refused batch, with its count, not one per event.
    const lines = first.stderr.split('\n').filter((l) => l.includes('refused by the backend; moved to the dead-letter table'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(lines.reduce((n, l) => n + JSON.parse(l).events, 0)).toBe(8);
    expect(server.ids()).toEqual(ids.filter((i) => i !== 'r07' && i !== 'r31'));
    const s = await status(state);
    expect(s.events.dead_lettered).toBe(8);
    expect(balanced(s)).toBe(true);
    const list = await run(['dlq', 'list', '--state-dir', state]);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(8);
    expect(rows[0]).toMatchObject({ status: 400 });
    expect(rows[0].reason).toContain('bad record');
    fixed = true;
    expect((await run(['dlq', 'replay', '--state-dir', state])).code).toBe(0);
    expect((await once()).code).toBe(0);
    expect(server.ids()).toEqual(ids);
    const after = await status(state);
    expect(after.events).toMatchObject({ dead_lettered: 0, buffered: 0, accepted: N * 4 });
  });

  it('stops on 401, exits 1 naming AFLO_API_KEY, keeps every event, and delivers with the right key', async () => {
    const r = await once({ AFLO_API_KEY: 'wrong-key-123456' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AFLO_API_KEY');
    expect(r.stderr).not.toContain('wrong-key-123456');
    expect((await status(state)).events.buffered).toBe(N * 4);
    expect((await once()).code).toBe(0);
    expect(server.ids()).toEqual(ids);
  });

  it('retries answers that never come (timeout) and dropped connections', async () => {
    server.script = ({ n }) => (n === 1 ? { hang: 3000 } : n <= 3 ? { drop: true } : undefined);
    expect((await once()).code).toBe(0);
    expect(server.ids()).toEqual(ids);
  });

  it('with debug logging, the API key appears in no output', async () => {
    server.script = ({ n }) => (n === 1 ? { status: 503 } : undefined);
    const r = await once({ AFLO_DEBUG: 'true' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('batch accepted');
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('exits 2 naming AFLO_API_ENDPOINT when it is not a URL', async () => {
    const r = await once({ AFLO_API_ENDPOINT: 'ingest.amberflo' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AFLO_API_ENDPOINT');
  });
});
