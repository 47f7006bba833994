// A backend that echoes request headers in its error bodies (as proxies and some gateways do): the API key appears
// nowhere aflo-tail writes: stdout, stderr, status, dlq list, the state database's bytes.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFakeIngest } from '../fakes/ingest-server.js';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { Daemon, fastEnv, freePort, useWorkspace } from './harness.js';

const KEY = 'k-DISTINCTIVE-secret-4bd1e07c';
const ws = useWorkspace();
const fake = useFakeIngest(KEY);

describe('secrets echoed by a backend', () => {
  it('are redacted before anything is stored, printed or logged', async () => {
    let answered = 0;
    fake.server.script = ({ n, records }) => {
      if (answered++ < 2) return { status: 500, body: `{"message":"upstream error","echo":{"X-API-KEY":"${KEY}"}}` };
      // Each refusal names its request: the records' fault, so they are dead-lettered with this reason.
      if (records.some((r) => String(r.uniqueId).endsWith('-bad'))) return { status: 400, body: `{"message":"bad record in request ${n}; you sent key ${KEY}"}` };
      return undefined;
    };
    const log = join(ws.logs, 'a.jsonl');
    writeFileSync(log, ['a', 'b-bad', 'c'].map((id) => slpLine(id)).join('\n') + '\n');
    const env = { ...fastEnv(ws.state, ws.out), AFLO_BACKEND_TYPE: 'api', AFLO_API_ENDPOINT: fake.server.url, AFLO_API_KEY: KEY,
      AFLO_DEBUG: 'true', AFLO_BATCH_SIZE: '4' };
    const once = await run(['--once', log], env);
    expect(once.code).toBe(1);
    const status = await run(['status', '--json', '--state-dir', ws.state]);
    const dlq = await run(['dlq', 'list', '--state-dir', ws.state]);
    expect(JSON.parse(status.stdout).dead_letters).toBeGreaterThan(0);
    expect(dlq.stdout).toContain('[redacted]');
    for (const text of [once.stdout, once.stderr, status.stdout, status.stderr, dlq.stdout, dlq.stderr]) expect(text).not.toContain(KEY);
    for (const f of readdirSync(ws.state)) {
      if (f.startsWith('state.db')) expect(readFileSync(join(ws.state, f)).includes(Buffer.from(KEY)), f).toBe(false);
    }
    // And /metrics of a daemon on that state.
    const port = await freePort();
    const d = new Daemon([], { ...env, AFLO_HTTP_ADDR: String(port) });
    let metrics = '';
    for (let i = 0; i < 100 && metrics === ''; i++) {
      try { metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(); } catch { await new Promise((r) => setTimeout(r, 100)); }
    }
    expect(metrics).toContain('aflo_dead_letters');
    expect(metrics).not.toContain(KEY);
    expect((await d.stop()).stderr).not.toContain(KEY);
  });
});

describe('private state', () => {
  it('the state directory is 0700 and its files 0600; file-backend objects get AFLO_OUTPUT_MODE (0640 by default)', async () => {
    const log = join(ws.logs, 'a.jsonl');
    writeFileSync(log, slpLine('m1') + '\n');
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect((await run(['--once', log], fastEnv(ws.state, ws.out))).code).toBe(0);
    expect(mode(ws.state)).toBe(0o700);
    for (const f of readdirSync(ws.state)) if (statSync(join(ws.state, f)).isFile()) expect(mode(join(ws.state, f)), f).toBe(0o600);
    const objects = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.json.gz')).map((f) => join(dir, f));
    expect(objects(ws.out).map(mode)).toEqual([0o640]);
    const other = join(ws.path, 'out2');
    expect((await run(['--once', log], fastEnv(join(ws.path, 'state2'), other, { AFLO_OUTPUT_MODE: '0600' }))).code).toBe(0);
    expect(objects(other).map(mode)).toEqual([0o600]);
    const bad = await run(['--once', log], fastEnv(ws.state, ws.out, { AFLO_OUTPUT_MODE: 'rw-r-----' }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('AFLO_OUTPUT_MODE');
  });
});
