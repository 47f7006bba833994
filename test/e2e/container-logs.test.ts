// Reading a container's stdout from the node's log directory: entries over 16 KiB arrive in partial records, on
// files and on stdin, and are billed once across reads and restarts.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { criRecords, dockerRecords } from '../fixtures/container.js';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { balanced, Daemon, deliveredIds, fastEnv, status, useWorkspace, waitFor } from './harness.js';

const dir = useWorkspace();
let state: string, out: string, logs: string;
beforeEach(() => ({ state, out, logs } = dir));

const big = (id: string) => slpLine(id, { messages: [{ role: 'user', content: 'y'.repeat(40_000) }] });

describe('container logs with lines over 16 KiB', () => {
  it('CRI file: a line split across a daemon stop is billed once, and status balances', async () => {
    const log = join(logs, '0.log');
    const parts = criRecords(big('big'));
    writeFileSync(log, [...criRecords(slpLine('before')), parts[0], parts[1]].join('\n') + '\n');
    const d = new Daemon([join(logs, '*.log')], fastEnv(state, out));
    await waitFor(() => deliveredIds(out).length === 1, 'the line before');
    await new Promise((r) => setTimeout(r, 500));
    expect((await d.stop()).code).toBe(0);
    appendFileSync(log, [parts[2], ...criRecords(slpLine('after'))].join('\n') + '\n');
    const r = await run(['--once', join(logs, '*.log')], fastEnv(state, out));
    expect(r.code).toBe(0);
    expect(deliveredIds(out)).toEqual(['after', 'before', 'big']);
    const s = await status(state);
    expect(s.entries).toMatchObject({ read: 3, mapped: 3, not_usage: 0, invalid: 0 });
    expect(balanced(s)).toBe(true);
  });

  it('Docker json-file on stdin: three 40 KB entries, each in 3 records, are three entries', async () => {
    const input = ['a', 'b', 'c'].flatMap((id) => dockerRecords(big(id))).join('\n') + '\n';
    const r = await run(['--once', '-'], fastEnv(state, out), input);
    expect(r.code).toBe(0);
    expect(deliveredIds(out)).toEqual(['a', 'b', 'c']);
    expect((await status(state)).entries).toMatchObject({ read: 3, mapped: 3, not_usage: 0 });
  });
});
