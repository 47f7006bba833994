// Many followed files under a small open-file limit (as Fluent Bit and Vector bound theirs): idle files are let go
// and opened again, by identity, when they change; nothing stalls, nothing is read twice.
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { CLI, cleanEnv, finished } from './cli.js';
import { Daemon, deliveredIds, fastEnv, useWorkspace, waitFor } from './harness.js';

const dir = useWorkspace();
let state: string, out: string, logs: string;
beforeEach(() => ({ state, out, logs } = dir));

describe('many files', () => {
  it('--once reads 1,200 files under ulimit -n 512 (the default bound, 256 open)', async () => {
    for (let i = 0; i < 1200; i++) writeFileSync(join(logs, `f${i}.jsonl`), slpLine(`f${i}`) + '\n');
    const child = spawn('bash', ['-c', `ulimit -n 512 && exec "${process.execPath}" "${CLI}" --once '${join(logs, '*.jsonl')}'`],
      { env: cleanEnv(fastEnv(state, out, { AFLO_ONCE_TIMEOUT: '60' })), stdio: ['ignore', 'pipe', 'pipe'] });
    const r = await finished(child);
    expect(r.stderr).not.toContain('EMFILE');
    expect(r.code).toBe(0);
    expect(deliveredIds(out)).toHaveLength(1200);
  });

  it('daemon with AFLO_MAX_OPEN_FILES=20 and 100 files: at most 20 held open; appends and renames of closed files', async () => {
    for (let i = 0; i < 100; i++) writeFileSync(join(logs, `f${i}.jsonl`), slpLine(`f${i}`) + '\n');
    const d = new Daemon([join(logs, '*.jsonl*')], fastEnv(state, out, { AFLO_MAX_OPEN_FILES: '20' }));
    await waitFor(() => deliveredIds(out).length === 100, 'every file');
    await new Promise((r) => setTimeout(r, 500));
    const logFds = () => readdirSync(`/proc/${d.child.pid}/fd`).filter((fd) => {
      try { return readlinkSync(`/proc/${d.child.pid}/fd/${fd}`).startsWith(logs); } catch { return false; }
    }).length;
    expect(logFds()).toBeLessThanOrEqual(20);
    // The first files were let go long ago: an append is seen, and a rename keeps their checkpoint.
    appendFileSync(join(logs, 'f0.jsonl'), slpLine('f0-more') + '\n');
    renameSync(join(logs, 'f1.jsonl'), join(logs, 'f1.jsonl.1'));
    appendFileSync(join(logs, 'f1.jsonl.1'), slpLine('f1-more') + '\n');
    await waitFor(() => deliveredIds(out).length === 102, 'the appended lines');
    await new Promise((r) => setTimeout(r, 500));
    expect(logFds()).toBeLessThanOrEqual(20);
    const r = await d.stop();
    expect(r.code).toBe(0);
    const ids = deliveredIds(out);
    expect(new Set(ids).size).toBe(102);
  });
});
