// POST /ingest: validated whole, committed before 202, shipped with everything else, and safe across kill -9.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { run } from '../e2e/cli.js';
import { Daemon, delivered, fastEnv, status, waitFor, freePort } from '../e2e/harness.js';
import { tempDir } from '../helpers.js';


let dir: ReturnType<typeof tempDir>;
let port: number;
let out: string;
let state: string;
beforeEach(async () => {
  dir = tempDir();
  port = await freePort();
  out = join(dir.path, 'out');
  state = join(dir.path, 'state');
});
afterEach(() => dir.remove());

const post = async (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
  const r = await fetch(`http://127.0.0.1:${port}/ingest`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, json: (await r.json().catch(() => ({}))) as Record<string, unknown>, retryAfter: r.headers.get('retry-after') };
};
const up = async () => { for (let i = 0; i < 100; i++) { try { await fetch(`http://127.0.0.1:${port}/healthz`); return; } catch { await new Promise((r) => setTimeout(r, 100)); } } };
const rec = (i: number, extra: Record<string, unknown> = {}) => ({ tenantId: `t${i % 3}`, meterApiName: 'api_calls', meterValue: i + 1, uniqueId: `u${i}`, meterTimeInMillis: 1767225600000 + i, ...extra });

describe('POST /ingest: who may post, and what', () => {
  const TOKEN = 'tok-0123456789abcdef-secret';
  const withToken = () => {
    const file = join(dir.path, 'ingest-token');
    writeFileSync(file, TOKEN + '\n');
    return file;
  };

  it('with a token: none or a wrong one is 401, the right one 202; text/plain is 415; negative values and absurd times 400', async () => {
    const d = new Daemon([], fastEnv(state, out, { AFLO_HTTP_ADDR: String(port), AFLO_INGEST_TOKEN_FILE: withToken() }));
    await up();
    const json = { 'content-type': 'application/json' };
    expect((await post(rec(1), json)).status).toBe(401);
    expect((await post(rec(1), { ...json, authorization: 'Bearer nope' })).status).toBe(401);
    const auth = { ...json, authorization: `Bearer ${TOKEN}` };
    expect((await post(rec(1), auth)).status).toBe(202);
    expect((await post(JSON.stringify(rec(2)), { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` })).status).toBe(415);
    const negative = await post(rec(3, { meterValue: -1e300 }), auth);
    expect(negative.status).toBe(400);
    expect(negative.json.error).toMatch(/meterValue must not be negative/);
    const far = await post(rec(4, { meterTimeInMillis: 9007199254740991 }), auth);
    expect(far.status).toBe(400);
    expect(far.json.error).toMatch(/meterTimeInMillis/);
    // /metrics and /healthz stay open.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const r = await d.stop();
    expect(r.stderr).not.toContain(TOKEN);
    await waitFor(() => delivered(out).length === 1, 'the one accepted record');
    expect(JSON.parse(delivered(out)[0]).uniqueId).toBe('ingest:t1:u1');
  });

  it('AFLO_INGEST_ALLOW_NEGATIVE=true takes a correction', async () => {
    const d = new Daemon([], fastEnv(state, out, { AFLO_HTTP_ADDR: String(port), AFLO_INGEST_ALLOW_NEGATIVE: 'true' }));
    await up();
    expect((await post(rec(5, { meterValue: -3 }))).status).toBe(202);
    await d.stop();
  });

  it('refuses at start to serve /ingest on an address other than loopback without a token (exit 2, naming the settings)', async () => {
    const r = await run(['--http-addr', `0.0.0.0:${port}`], fastEnv(state, out));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AFLO_HTTP_ADDR');
    expect(r.stderr).toContain('AFLO_INGEST_TOKEN_FILE');
  });
});

describe('POST /ingest', () => {
  it('takes concurrent clients; every record is committed, then shipped with customerId = tenantId', async () => {
    const d = new Daemon([], fastEnv(state, out, { AFLO_HTTP_ADDR: String(port) }));
    await up();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, c) => post(Array.from({ length: 10 }, (_, k) => rec(c * 10 + k)))));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await waitFor(() => delivered(out).length === 200, 'all records shipped');
    const got = delivered(out).map((r) => JSON.parse(r));
    expect(new Set(got.map((r) => r.uniqueId)).size).toBe(200);
    expect(got.find((r) => r.uniqueId === 'ingest:t1:u4')).toEqual({ uniqueId: 'ingest:t1:u4', customerId: 't1', meterApiName: 'api_calls', meterValue: 5, meterTimeInMillis: 1767225600004, dimensions: {} });
    const single = await post({ tenantId: 'solo', meterApiName: 'm', meterValue: 1.5, dimensions: { region: 'eu' } });
    expect(single.status).toBe(202);
    await waitFor(() => delivered(out).length === 201, 'single record');
    const solo = delivered(out).map((r) => JSON.parse(r)).find((r) => r.customerId === 'solo');
    expect(solo.uniqueId).toMatch(/^ingest:solo:[0-9a-f-]{36}$/);
    expect(solo.meterTimeInMillis).toBeGreaterThan(1_700_000_000_000);
    expect((await d.stop()).code).toBe(0);
  });

  it('refuses a bad record naming it and its field, storing nothing of that request; 413 over 1 MiB', async () => {
    const d = new Daemon([], fastEnv(state, out, { AFLO_HTTP_ADDR: String(port) }));
    await up();
    const bad = await post([rec(0), rec(1, { meterValue: 'lots' })]);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('record 1: meterValue must be a finite number');
    expect((await post([{ meterApiName: 'x', meterValue: 1 }])).json.error).toMatch(/record 0: tenantId/);
    expect((await post('{not json')).status).toBe(400);
    expect((await post('x'.repeat((1 << 20) + 10))).status).toBe(413);
    await d.stop();
    expect((await status(state)).events.produced).toBe(0);
  });

  it('answers 503 with Retry-After when the buffer is full under block', async () => {
    const d = new Daemon([], fastEnv(state, join(dir.path, 'nowhere', 'x'), { AFLO_HTTP_ADDR: String(port), AFLO_MAX_BUFFER_SIZE: '5' }));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir.path, 'nowhere'), 'a file, so the output directory cannot be made');
    await up();
    expect((await post([rec(0), rec(1), rec(2), rec(3)])).status).toBe(202);
    const full = await post([rec(4), rec(5)]);
    expect(full.status).toBe(503);
    expect(full.retryAfter).toBe('5');
    await d.stop();
  });

  it('under drop_newest, a full buffer drops and counts what does not fit: it never grows past AFLO_MAX_BUFFER_SIZE', async () => {
    const d = new Daemon([], fastEnv(state, join(dir.path, 'nowhere', 'x'), { AFLO_HTTP_ADDR: String(port), AFLO_MAX_BUFFER_SIZE: '5', AFLO_BUFFER_FULL: 'drop_newest' }));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir.path, 'nowhere'), 'a file, so the output directory cannot be made');
    await up();
    expect((await post([rec(0), rec(1), rec(2), rec(3)])).status).toBe(202);
    for (let i = 0; i < 5; i++) expect((await post([rec(10 + 2 * i), rec(11 + 2 * i)])).json).toEqual({ accepted: 0, dropped: 2 });
    await d.stop();
    const s = await status(state);
    expect(s.events).toMatchObject({ produced: 14, buffered: 4, dropped: 10 });
  });

  it('a request of more records than the buffer holds is 413, never let in past AFLO_MAX_BUFFER_SIZE', async () => {
    const d = new Daemon([], fastEnv(state, out, { AFLO_HTTP_ADDR: String(port), AFLO_MAX_BUFFER_SIZE: '10' }));
    await up();
    const big = await post(Array.from({ length: 20 }, (_, i) => rec(i)));
    expect(big.status).toBe(413);
    expect(big.json.error).toMatch(/more than the buffer holds \(10\)/);
    await d.stop();
    expect((await status(state)).events.produced).toBe(0);
  });

  it('500 connections that send part of a 1 MB body and stall: bounded memory, /healthz still answers at once', async () => {
    const d = new Daemon([], fastEnv(state, out, { AFLO_HTTP_ADDR: String(port) }));
    await up();
    const sockets: Socket[] = [];
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    for (let i = 0; i < 500; i++) {
      const sock = connect(port, '127.0.0.1');
      sock.on('error', () => undefined);
      sock.write(`POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 << 20}\r\n\r\n`);
      for (let k = 0; k < 4; k++) sock.write(chunk);
      sockets.push(sock);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const t0 = Date.now();
    const h = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(h.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d.child.pid}/status`, 'utf8'))![1]);
    expect(rssKb).toBeLessThan(200 * 1024);
    for (const s2 of sockets) s2.destroy();
    await d.stop();
  }, 60_000);

  it('a crash right after a 202 loses nothing', async () => {
    const d = new Daemon([], fastEnv(state, join(dir.path, 'slow', 'x'), { AFLO_HTTP_ADDR: String(port) }));
    const { writeFileSync, rmSync } = await import('node:fs');
    writeFileSync(join(dir.path, 'slow'), 'blocks the output until removed');
    await up();
    expect((await post(Array.from({ length: 7 }, (_, i) => rec(i)))).status).toBe(202);
    d.child.kill('SIGKILL');
    await d.done;
    rmSync(join(dir.path, 'slow'));
    const again = new Daemon([], fastEnv(state, join(dir.path, 'slow', 'x'), { AFLO_HTTP_ADDR: String(port) }));
    await waitFor(() => delivered(join(dir.path, 'slow', 'x')).length === 7, 'records after the crash');
    await again.stop();
  });
});
