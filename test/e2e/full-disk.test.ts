// A state directory on a disk that fills up (a real tmpfs of 3 MB, in a mount namespace of the daemon's own):
// reading pauses and /healthz says why, the process does not end, and once space returns everything arrives once.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { CLI, cleanEnv, finished } from './cli.js';
import { balanced, deliveredIds, fastEnv, freePort, useWorkspace, waitFor, type StatusJson } from './harness.js';

const ws = useWorkspace();
let out: string, logs: string;
beforeEach(() => ({ out, logs } = ws));

/** Mounting a tmpfs takes root, unshare and nsenter (util-linux); CI runs as root. */
const canMount = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0 && spawnSync('nsenter', ['--version']).status === 0;
const lines = (p: string, n: number) => Array.from({ length: n }, (_, i) => slpLine(`${p}${i}`, { messages: [{ role: 'user', content: 'z'.repeat(300) }] })).join('\n') + '\n';

describe('a full state disk', () => {
  it.skipIf(!canMount)('pauses reading, keeps running, and loses nothing when space returns', async () => {
    const disk = join(ws.path, 'disk');
    mkdirSync(disk);
    const state = join(disk, 'state');
    const app = join(logs, 'app.log');
    writeFileSync(app, lines('a', 50));
    const port = await freePort();
    const env = fastEnv(state, out, { AFLO_HTTP_ADDR: String(port), AFLO_BATCH_SIZE: '20' });
    const child = spawn('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=3m tmpfs '${disk}' && exec "${process.execPath}" "${CLI}" '${app}'`],
      { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    const done = finished(child);
    await waitFor(() => deliveredIds(out).length === 50, 'the first lines');
    // The daemon's view of its disk (its own mount namespace), filled to the last block.
    const filler = `/proc/${child.pid}/root${disk}/filler`;
    try { writeFileSync(filler, Buffer.alloc(8 << 20)); } catch { /* ENOSPC: full */ }
    appendFileSync(app, lines('b', 400));
    const health = async () => { try { return await fetch(`http://127.0.0.1:${port}/healthz`); } catch { return undefined; } };
    let h: Response | undefined;
    for (let i = 0; i < 200 && h?.status !== 503; i++) { h = await health(); await new Promise((r) => setTimeout(r, 50)); }
    expect(h?.status).toBe(503);
    expect(await h!.text()).toContain('cannot write the state database');
    await new Promise((r) => setTimeout(r, 1500));
    expect(child.exitCode).toBeNull();
    rmSync(filler);
    await waitFor(() => deliveredIds(out).length === 450, 'the lines read once space returned', 30_000);
    expect((await health())?.status).toBe(200);
    // The state lives in the daemon's mount namespace (gone when it ends): status is run in it.
    const st = spawnSync('nsenter', ['-t', String(child.pid), '-m', process.execPath, CLI, 'status', '--json', '--state-dir', state], { env: cleanEnv() });
    const s = JSON.parse(st.stdout.toString()) as StatusJson;
    expect(balanced(s)).toBe(true);
    expect(s.entries).toMatchObject({ read: 450, mapped: 450 });
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('cannot write the state database');
    expect(new Set(deliveredIds(out)).size).toBe(450);
  }, 60_000);
});
