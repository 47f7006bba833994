// --once and the daemon as users run them: exit codes, SIGTERM, a second process, stdin, status while running.
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { JS_MAPPER_ONLY, slpLine } from '../helpers.js';
import { run } from './cli.js';
import { balanced, Daemon, lastLog, logLines, delivered, deliveredIds, fastEnv, status, waitFor, useWorkspace } from './harness.js';

const dir = useWorkspace();
let state: string, out: string, logs: string;
beforeEach(() => ({ state, out, logs } = dir));

const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => slpLine(`${prefix}-${i}`)).join('\n') + '\n';

describe('--once', () => {
  it('ships every entry of every matched file and exits 0', async () => {
    writeFileSync(join(logs, 'a.jsonl'), lines('a', 120));
    writeFileSync(join(logs, 'b.jsonl'), lines('b', 30) + 'text line\n');
    const r = await run(['--once', join(logs, '*.jsonl')], fastEnv(state, out));
    expect(r.code).toBe(0);
    // The project's mapper: the native one by default, the JavaScript one in the js-mapper project.
    expect(logLines(r.stderr).find((l) => l.msg === 'aflo-tail started')?.native_mapper).toBe(!JS_MAPPER_ONLY);
    expect(deliveredIds(out)).toHaveLength(150);
    const s = await status(state);
    expect(s.entries).toMatchObject({ read: 151, mapped: 150, not_usage: 1 });
    expect(s.events).toMatchObject({ produced: 600, accepted: 600, buffered: 0 });
    expect(balanced(s)).toBe(true);
    const again = await run(['--once', join(logs, '*.jsonl')], fastEnv(state, out));
    expect(again.code).toBe(0);
    expect((await status(state)).events.produced).toBe(600);
  });

  it('reads an unterminated last line at the end only when it is a whole entry', async () => {
    writeFileSync(join(logs, 'a.jsonl'), lines('a', 2) + slpLine('tail'));
    writeFileSync(join(logs, 'b.jsonl'), lines('b', 2) + slpLine('cut').slice(0, 50));
    expect((await run(['--once', join(logs, '*.jsonl')], fastEnv(state, out))).code).toBe(0);
    expect(deliveredIds(out)).toEqual(['a-0', 'a-1', 'b-0', 'b-1', 'tail']);
    appendFileSync(join(logs, 'b.jsonl'), slpLine('cut').slice(50) + '\n');
    expect((await run(['--once', join(logs, '*.jsonl')], fastEnv(state, out))).code).toBe(0);
    expect(deliveredIds(out)).toEqual(['a-0', 'a-1', 'b-0', 'b-1', 'cut', 'tail']);
  });

  it('exits 1 and says what is left when the backend keeps failing, and delivers it on the next run', async () => {
    writeFileSync(join(logs, 'a.jsonl'), lines('a', 10));
    writeFileSync(join(dir.path, 'blocker'), 'a file where the output directory should be');
    const bad = fastEnv(state, join(dir.path, 'blocker', 'out'), { AFLO_ONCE_TIMEOUT: '1' });
    const r = await run(['--once', join(logs, 'a.jsonl')], bad);
    expect(r.code).toBe(1);
    // Every line on stderr is JSON; the last one says what is left, with the run's totals.
    expect(lastLog(r.stderr)).toMatchObject({ level: 50, entries_read: 10, events_accepted: 0, dead_lettered: 0, events_left: 40, batches_left: 1 });
    expect((await status(state)).events).toMatchObject({ produced: 40, buffered: 40, accepted: 0 });
    const ok = await run(['--once', join(logs, 'a.jsonl')], fastEnv(state, out));
    expect(ok.code).toBe(0);
    expect(deliveredIds(out)).toHaveLength(10);
    expect((await status(state)).events).toMatchObject({ produced: 40, accepted: 40, buffered: 0 });
  });

  it('a file of many pieces, through the decode thread with a small buffer, delivers exactly what map produces', async () => {
    // ~6 MB: pieces of up to 1 MB come back from the thread and are read into again, record buffers are written
    // again, pieces wait for room in a 4,000-event buffer, and 300-event batches span pieces.
    const pad = 'x'.repeat(1100);
    const text = Array.from({ length: 5000 }, (_, i) => slpLine(`p-${i}`, { pad, i })).join('\n') + '\n';
    writeFileSync(join(logs, 'big.jsonl'), text);
    const r = await run(['--once', join(logs, 'big.jsonl')], fastEnv(state, out, { AFLO_MAX_BUFFER_SIZE: '4000', AFLO_BATCH_SIZE: '300', AFLO_DEBUG: 'true' }));
    expect(r.code).toBe(0);
    // The thread made the bodies of the batches wholly inside its pieces (all but those spanning two, and the cuts
    // a full buffer forces): they are what the comparison below checks.
    expect(logLines(r.stderr).find((l) => l.msg === 'batch bodies the decode thread made')?.batches_made_ahead).toBeGreaterThan(20);
    const mapped = await run(['map', join(logs, 'big.jsonl')]);
    const expected = mapped.stdout.trim().split('\n').map((l) => JSON.stringify(JSON.parse(l)));
    expect(expected).toHaveLength(20000);
    expect(delivered(out).sort()).toEqual(expected.sort());
    expect(balanced(await status(state))).toBe(true);
  });

  it('reads stdin with -', async () => {
    const r = await run(['--once', '-'], fastEnv(state, out), lines('s', 5));
    expect(r.code).toBe(0);
    expect(deliveredIds(out)).toEqual(['s-0', 's-1', 's-2', 's-3', 's-4']);
  });

  it('refuses to start without inputs, with a bad setting, or a backend setting missing (exit 2)', async () => {
    expect((await run(['--once'], fastEnv(state, out))).code).toBe(2);
    const r = await run(['--once', 'x'], { ...fastEnv(state, out), AFLO_BATCH_SIZE: '0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AFLO_BATCH_SIZE');
    const m = await run(['--once', 'x'], { ...fastEnv(state, out), AFLO_OUTPUT_DIR: '' });
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('AFLO_OUTPUT_DIR');
  });
});

describe('daemon', () => {
  it('follows appends, answers status while running, and stops on SIGTERM with exit 0', async () => {
    const file = join(logs, 'app.jsonl');
    writeFileSync(file, lines('x', 3));
    const d = new Daemon([join(logs, '*.jsonl')], fastEnv(state, out));
    await waitFor(() => deliveredIds(out).length === 3, 'first lines');
    appendFileSync(file, lines('y', 4));
    await waitFor(() => deliveredIds(out).length === 7, 'appended lines');
    const s = await status(state);
    expect(s.files[0]).toMatchObject({ path: file, offset: s.files[0].size });
    const second = await run(['--once', file], fastEnv(state, out));
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/in use by another aflo-tail \(pid \d+\)/);
    const r = await d.stop('SIGTERM');
    expect(r.code).toBe(0);
    expect(balanced(await status(state))).toBe(true);
  });

  it('the lock is the kernel\'s: a pid file naming a live process (a container restart) or a kill -9 blocks no start', async () => {
    writeFileSync(join(logs, 'a.jsonl'), lines('a', 3));
    mkdirSync(state, { recursive: true });
    // What older versions and a restarted container leave behind: files naming pid 1, which is alive.
    writeFileSync(join(state, 'aflo-tail.lock'), '1\n');
    writeFileSync(join(state, 'aflo-tail.pid'), '1\n');
    const d = new Daemon([join(logs, '*.jsonl')], fastEnv(state, out));
    await waitFor(() => deliveredIds(out).length === 3, 'first lines');
    const second = await run(['--once', join(logs, 'a.jsonl')], fastEnv(state, out));
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`in use by another aflo-tail (pid ${d.child.pid})`);
    await d.stop('SIGKILL');
    appendFileSync(join(logs, 'a.jsonl'), lines('b', 2));
    const after = await run(['--once', join(logs, 'a.jsonl')], fastEnv(state, out));
    expect(after.code).toBe(0);
    expect(deliveredIds(out)).toHaveLength(5);
  });

  it('on SIGTERM with a failing backend, exits 0 within the shutdown timeout and keeps every event', async () => {
    writeFileSync(join(logs, 'a.jsonl'), lines('a', 5));
    writeFileSync(join(dir.path, 'blocker'), 'x');
    const d = new Daemon([join(logs, '*.jsonl')], fastEnv(state, join(dir.path, 'blocker', 'o'), { AFLO_SHUTDOWN_TIMEOUT: '1' }));
    await waitFor(() => existsSync(join(state, 'state.db')), 'state');
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    const r = await d.stop('SIGTERM');
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
    const s = await status(state);
    expect(s.events.buffered).toBe(20);
    expect(delivered(out)).toEqual([]);
  });
});
