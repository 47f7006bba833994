// Files as logrotate and crashed writers leave them: rename, copytruncate, truncation, inode reuse, deletion.
import { appendFileSync, copyFileSync, mkdirSync, renameSync, truncateSync, unlinkSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { balanced, Daemon, deliveredIds, fastEnv, status, waitFor, useWorkspace } from './harness.js';

const dir = useWorkspace();
let state: string, out: string, logs: string;
beforeEach(() => ({ state, out, logs } = dir));

const line = (id: string) => slpLine(id) + '\n';
const once = (pattern: string) => run(['--once', join(logs, pattern)], fastEnv(state, out));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rotation and truncation', () => {
  it("Vector's copytruncate case: exactly 3 messages, no duplicate", async () => {
    const f = join(logs, 'f');
    writeFileSync(f, line('first'));
    const d = new Daemon([join(logs, 'f*')], fastEnv(state, out));
    await waitFor(() => deliveredIds(out).length === 1, 'first line');
    copyFileSync(f, join(logs, 'f.1'));
    truncateSync(f, 0);
    appendFileSync(f, line('to-original'));
    appendFileSync(join(logs, 'f.1'), line('to-copy'));
    await waitFor(() => deliveredIds(out).length >= 3, 'three messages');
    await sleep(500);
    const stopped = await d.stop();
    if (deliveredIds(out).length !== 3) console.log(stopped.stderr);
    expect(deliveredIds(out)).toEqual(['first', 'to-copy', 'to-original']);
    expect(stopped.code).toBe(0);
    expect(balanced(await status(state))).toBe(true);
  });

  it('rename rotation while running: the old file is read to its end, the new one from 0', async () => {
    const f = join(logs, 'app.log');
    writeFileSync(f, line('a1'));
    const d = new Daemon([f], fastEnv(state, out));
    await waitFor(() => deliveredIds(out).length === 1, 'a1');
    renameSync(f, join(logs, 'app.log.1'));
    appendFileSync(join(logs, 'app.log.1'), line('a2-after-rename'));
    writeFileSync(f, line('b1'));
    await waitFor(() => deliveredIds(out).length === 3, 'rotated and new');
    expect(deliveredIds(out)).toEqual(['a1', 'a2-after-rename', 'b1']);
    await d.stop();
  });

  it('a partial last line across a restart is emitted once, whole', async () => {
    const f = join(logs, 'app.log');
    const whole = slpLine('split');
    writeFileSync(f, line('a') + whole.slice(0, 100));
    const d = new Daemon([f], fastEnv(state, out));
    await waitFor(() => deliveredIds(out).length === 1, 'a');
    await sleep(300);
    await d.stop();
    appendFileSync(f, whole.slice(100) + '\n' + line('b'));
    expect((await once('app.log')).code).toBe(0);
    expect(deliveredIds(out)).toEqual(['a', 'b', 'split']);
    const s = await status(state);
    expect(s.entries).toMatchObject({ read: 3, mapped: 3, invalid: 0 });
  });

  it('truncation while stopped to a size larger than the old offset: the new content is read from 0', async () => {
    const f = join(logs, 'app.log');
    writeFileSync(f, line('old'));
    expect((await once('app.log')).code).toBe(0);
    writeFileSync(f, line('new-1') + line('new-2') + line('new-3'));
    expect((await once('app.log')).code).toBe(0);
    expect(deliveredIds(out)).toEqual(['new-1', 'new-2', 'new-3', 'old']);
  });

  it('inode reuse: a new file on an old inode starts at 0', async () => {
    const f = join(logs, 'app.log');
    writeFileSync(f, line('gen1-a') + line('gen1-b'));
    expect((await once('app.log')).code).toBe(0);
    // Rewrite in place (same inode, different head) to a file longer than the old offset.
    const fd = openSync(f, 'r+');
    const text = line('gen2-a') + line('gen2-b') + line('gen2-c');
    writeSync(fd, text, 0);
    closeSync(fd);
    expect((await once('app.log')).code).toBe(0);
    expect(deliveredIds(out)).toEqual(['gen1-a', 'gen1-b', 'gen2-a', 'gen2-b', 'gen2-c']);
  });

  it('two rotations while stopped, the glob matching rotated files: each resumes at its checkpoint', async () => {
    const f = join(logs, 'app.log');
    writeFileSync(f, line('g0-a'));
    expect((await once('app.log*')).code).toBe(0);
    appendFileSync(f, line('g0-b'));
    renameSync(f, join(logs, 'app.log.1'));
    writeFileSync(f, line('g1-a'));
    renameSync(join(logs, 'app.log.1'), join(logs, 'app.log.2'));
    renameSync(f, join(logs, 'app.log.1'));
    writeFileSync(f, line('g2-a'));
    expect((await once('app.log*')).code).toBe(0);
    expect(deliveredIds(out)).toEqual(['g0-a', 'g0-b', 'g1-a', 'g2-a']);
    expect(balanced(await status(state))).toBe(true);
  });

  it('a deleted file with unread bytes is read to its end', async () => {
    const f = join(logs, 'app.log');
    writeFileSync(f, line('a'));
    const d = new Daemon([f], fastEnv(state, out, { AFLO_BATCH_SIZE: '1000', AFLO_FLUSH_INTERVAL: '0.5' }));
    await waitFor(() => deliveredIds(out).length === 1, 'a');
    const fd = openSync(f, 'a');
    unlinkSync(f);
    writeSync(fd, line('written-after-delete'));
    closeSync(fd);
    await waitFor(() => deliveredIds(out).length === 2, 'bytes of the deleted file');
    expect(deliveredIds(out)).toEqual(['a', 'written-after-delete']);
    await d.stop();
  });
});
