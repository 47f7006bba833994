// Which file is which, as users' logs really are: files sharing a long banner, a file overwritten in place, and
// copytruncate copies the glob matches while `cp` is still writing them. Every delivered record is counted.
import { appendFileSync, closeSync, copyFileSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { balanced, Daemon, deliveredIds, fastEnv, status, useWorkspace, waitFor } from './harness.js';

const dir = useWorkspace();
let state: string, out: string, logs: string;
beforeEach(() => ({ state, out, logs } = dir));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => slpLine(`${prefix}-${i}`)).join('\n') + '\n';
/** LiteLLM's start-up lines as captured from its stdout: 2.3 KB every file begins with. */
const BANNER = Array.from({ length: 30 }, (_, i) => `INFO:     LiteLLM proxy starting, worker ${i % 4}, config loaded from /app/config.yaml (${i})`).join('\n') + '\n';
const expectOnce = (ids: string[], n: number) => {
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toHaveLength(n);
};

describe('file identity beyond the first KiB', () => {
  it('two files sharing a 2.3 KB banner are two files: nothing of the second is skipped', async () => {
    expect(BANNER.length).toBeGreaterThan(2048);
    writeFileSync(join(logs, 'a.log'), BANNER + lines('a', 400));
    expect((await run(['--once', join(logs, '*.log')], fastEnv(state, out))).code).toBe(0);
    writeFileSync(join(logs, 'b.log'), BANNER + lines('b', 400));
    expect((await run(['--once', join(logs, '*.log')], fastEnv(state, out))).code).toBe(0);
    expectOnce(deliveredIds(out), 800);
    expect(balanced(await status(state))).toBe(true);
  });

  it('a followed file overwritten in place (cp new.log app.log) is read again from the start', async () => {
    const app = join(logs, 'app.log');
    writeFileSync(app, BANNER + lines('old', 100));
    const d = new Daemon([app], fastEnv(state, out));
    await waitFor(() => deliveredIds(out).length === 100, 'the first file');
    writeFileSync(join(dir.path, 'new.log'), BANNER + lines('new', 150));
    copyFileSync(join(dir.path, 'new.log'), app);
    await waitFor(() => deliveredIds(out).length >= 250, 'the overwritten file');
    await sleep(500);
    await d.stop();
    expectOnce(deliveredIds(out), 250);
    // And while stopped: the same bytes before the checkpoint, or it is another file.
    writeFileSync(join(dir.path, 'newer.log'), BANNER + lines('newer', 200));
    copyFileSync(join(dir.path, 'newer.log'), app);
    expect((await run(['--once', app], fastEnv(state, out))).code).toBe(0);
    expectOnce(deliveredIds(out), 450);
  });
});

describe('copytruncate with the copy matching the glob', () => {
  /** `cp` as slow as on a loaded host: the copy grows in pieces, the first shorter than 1 KiB, while rescans run. */
  async function slowCopy(from: string, to: string, pieces: number[]): Promise<void> {
    const bytes = readFileSync(from);
    const fd = openSync(to, 'w');
    let at = 0;
    for (const n of [...pieces, bytes.length]) {
      const end = Math.min(bytes.length, at + n);
      writeSync(fd, bytes, at, end - at);
      at = end;
      await sleep(250);
      if (at >= bytes.length) break;
    }
    closeSync(fd);
  }

  it('a copy seen while cp still writes it is the known file: nothing is sent twice', async () => {
    const app = join(logs, 'app.jsonl');
    writeFileSync(app, lines('a', 300));
    const d = new Daemon([join(logs, '*.jsonl*')], fastEnv(state, out));
    await waitFor(() => deliveredIds(out).length === 300, 'the first lines');
    await slowCopy(app, join(logs, 'app.jsonl-20261206'), [700, 30_000, 100_000]);
    truncateSync(app, 0);
    appendFileSync(app, lines('b', 20));
    await waitFor(() => deliveredIds(out).length >= 320, 'lines after the rotation');
    await sleep(1000);
    const r = await d.stop();
    expect(r.code).toBe(0);
    expectOnce(deliveredIds(out), 320);
    expect(balanced(await status(state))).toBe(true);
  });

  it('lines read from the original after the copy put the checkpoint past the copy: the copy is not read again', async () => {
    const app = join(logs, 'app.jsonl');
    writeFileSync(app, lines('a', 300));
    const d = new Daemon([join(logs, '*.jsonl*')], fastEnv(state, out));
    await waitFor(() => deliveredIds(out).length === 300, 'the first lines');
    // The copy is made, then (before the truncate) the proxy writes more, and aflo-tail reads it from the original.
    const copy = join(dir.path, 'copy');
    copyFileSync(app, copy);
    appendFileSync(app, lines('window', 5));
    await waitFor(() => deliveredIds(out).length === 305, 'the lines written in the copy window');
    truncateSync(app, 0);
    appendFileSync(app, lines('b', 10));
    await waitFor(() => deliveredIds(out).length >= 315, 'lines after the rotation');
    // The copy appears under a name the glob matches only now, shorter than the checkpoint it shares bytes with.
    await slowCopy(copy, join(logs, 'app.jsonl.1'), [500, 50_000]);
    await sleep(1000);
    const r = await d.stop();
    expect(r.code).toBe(0);
    expectOnce(deliveredIds(out), 315);
    expect(balanced(await status(state))).toBe(true);
  });

  it('lines written to the original in the copy window (after cp, before the truncate) are read from it, once', async () => {
    const app = join(logs, 'app.jsonl');
    writeFileSync(app, lines('a', 200));
    const d = new Daemon([join(logs, '*.jsonl*')], fastEnv(state, out));
    await waitFor(() => deliveredIds(out).length === 200, 'the first lines');
    await slowCopy(app, join(logs, 'app.jsonl.1'), [5_000]);
    await sleep(300); // the copy is seen whole while the original is still at its path
    appendFileSync(app, lines('window', 4));
    await waitFor(() => deliveredIds(out).length === 204, 'the lines of the copy window');
    truncateSync(app, 0);
    appendFileSync(app, lines('b', 6));
    await waitFor(() => deliveredIds(out).length >= 210, 'lines after the rotation');
    await sleep(1000);
    const r = await d.stop();
    expect(r.code).toBe(0);
    expectOnce(deliveredIds(out), 210);
    expect(balanced(await status(state))).toBe(true);
  });
});
