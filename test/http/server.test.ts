// /metrics and /healthz of a running daemon, on 127.0.0.1 only when AFLO_HTTP_ADDR asks for it.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Daemon, deliveredIds, fastEnv, waitFor, freePort } from '../e2e/harness.js';
import { FakeIngest } from '../fakes/ingest-server.js';
import { slpLine, tempDir } from '../helpers.js';


async function get(url: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const r = await fetch(url);
    return { status: r.status, text: await r.text() };
  } catch {
    return undefined;
  }
}

let dir: ReturnType<typeof tempDir>;
let log: string;
beforeEach(() => {
  dir = tempDir();
  mkdirSync(join(dir.path, 'logs'));
  log = join(dir.path, 'logs', 'a.jsonl');
  writeFileSync(log, ['a', 'b', 'c'].map((id) => slpLine(id)).join('\n') + '\n');
});
afterEach(() => dir.remove());

describe('http', () => {
  it('serves Prometheus metrics and a healthy /healthz when only a port is given', async () => {
    const port = await freePort();
    const out = join(dir.path, 'out');
    const d = new Daemon([log], fastEnv(join(dir.path, 'state'), out, { AFLO_HTTP_ADDR: String(port) }));
    await waitFor(() => deliveredIds(out).length === 3, 'delivery');
    let metrics: { status: number; text: string } | undefined;
    for (let i = 0; i < 50 && !(metrics = await get(`http://127.0.0.1:${port}/metrics`)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(metrics?.status).toBe(200);
    expect(metrics?.text).toMatch(/aflo_entries_read_total 3/);
    expect(metrics?.text).toMatch(/aflo_events_total\{outcome="accepted"\} 12/);
    expect(metrics?.text).toMatch(/aflo_send_duration_seconds_count \d+/);
    expect(metrics?.text).toMatch(new RegExp(`aflo_file_read_bytes\\{path="${log}",inode="\\d+"\\}`));
    expect((await get(`http://127.0.0.1:${port}/healthz`))?.status).toBe(200);
    expect((await get(`http://127.0.0.1:${port}/nope`))?.status).toBe(404);
    expect((await d.stop()).code).toBe(0);
    expect(await get(`http://127.0.0.1:${port}/healthz`)).toBeUndefined();
  });

  it('a rotated file still draining and its successor are two series (by inode), never one label twice', async () => {
    const port = await freePort();
    const out = join(dir.path, 'out');
    const d = new Daemon([log], fastEnv(join(dir.path, 'state'), out, { AFLO_HTTP_ADDR: String(port) }));
    await waitFor(() => deliveredIds(out).length === 3, 'delivery');
    renameSync(log, `${log}.1`);
    writeFileSync(log, slpLine('d') + '\n');
    await waitFor(() => deliveredIds(out).length === 4, 'the successor is read');
    // The rotated file is read for 5 s after it went away: both are followed now.
    const text = (await get(`http://127.0.0.1:${port}/metrics`))?.text ?? '';
    const series = text.split('\n').filter((l) => l.startsWith('aflo_file_read_bytes{')).map((l) => l.split(' ')[0]);
    expect(series.filter((l) => l.includes(`path="${log}"`))).toHaveLength(2);
    expect(new Set(series).size).toBe(series.length);
    expect((await d.stop()).code).toBe(0);
  });

  it('/healthz is 503 naming the setting when the backend refuses the credentials', async () => {
    const server = new FakeIngest('right-key');
    await server.start();
    const port = await freePort();
    const d = new Daemon([log], {
      ...fastEnv(join(dir.path, 'state'), join(dir.path, 'x'), { AFLO_HTTP_ADDR: `127.0.0.1:${port}` }),
      AFLO_BACKEND_TYPE: 'api', AFLO_API_ENDPOINT: server.url, AFLO_API_KEY: 'wrong-key',
    });
    let h: { status: number; text: string } | undefined;
    for (let i = 0; i < 100; i++) {
      h = await get(`http://127.0.0.1:${port}/healthz`);
      if (h?.status === 503) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(h?.status).toBe(503);
    expect(h?.text).toContain('AFLO_API_KEY');
    expect(h?.text).not.toContain('wrong-key');
    await d.stop();
    await server.stop();
  });
});
