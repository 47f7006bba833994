// What a run says: JSON lines only (the default), the last with the run's totals; a plain summary for people; an
// interrupted --once said so; a subcommand's own usage first; status naming the backend used and rotated files.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { run, start, finished } from './cli.js';
import { fastEnv, freePort, lastLog, logLines, status, useWorkspace, waitFor } from './harness.js';

const ws = useWorkspace();
const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => slpLine(`${prefix}-${i}`)).join('\n') + '\n';

describe('what --once says', () => {
  it('with JSON logs, every stderr line is JSON and the last gives the totals; plain logs end with a summary line', async () => {
    const log = join(ws.logs, 'a.jsonl');
    writeFileSync(log, lines('a', 5) + 'not json\n');
    const r = await run(['--once', log], fastEnv(ws.state, ws.out));
    expect(r.code).toBe(0);
    expect(lastLog(r.stderr)).toMatchObject({ msg: 'stopped; everything was accepted', entries_read: 6, events_accepted: 20, dead_lettered: 0, events_left: 0 });
    writeFileSync(log, lines('b', 2), { flag: 'a' });
    const plain = await run(['--once', log], fastEnv(ws.state, ws.out, { AFLO_JSON_LOGS: 'false' }));
    expect(plain.code).toBe(0);
    expect(plain.stderr.trimEnd().split('\n').at(-1)).toBe('aflo-tail: done: 2 entries read, 8 events accepted, 0 dead-lettered, 0 left');
  });

  it('the s3 backend adds no plain warning of the AWS SDK (Node version support) to the JSON lines', async () => {
    writeFileSync(join(ws.logs, 'a.jsonl'), lines('a', 1));
    const r = await run(['--once', join(ws.logs, 'a.jsonl')], {
      ...fastEnv(ws.state, ws.out, { AFLO_ONCE_TIMEOUT: '1' }), AFLO_BACKEND_TYPE: 's3', AFLO_BUCKET_NAME: 'b', AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}`, AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'secret-secret',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('NodeVersionSupportWarning');
    expect(() => logLines(r.stderr)).not.toThrow();
  });

  it('SIGINT during --once is "interrupted" (exit 1), not "time ran out"; what was read stays buffered', async () => {
    const log = join(ws.logs, 'a.jsonl');
    writeFileSync(log, lines('a', 3));
    writeFileSync(join(ws.path, 'blocker'), 'a file where the output directory should be');
    const child = start(['--once', log], fastEnv(ws.state, join(ws.path, 'blocker', 'out'), { AFLO_ONCE_TIMEOUT: '60' }));
    child.stdin?.end();
    const done = finished(child);
    let err = '';
    child.stderr?.on('data', (d) => { err += d; });
    await waitFor(() => err.includes('"msg":"file found"'), 'the file is found');
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(1);
    expect(lastLog(r.stderr)).toMatchObject({ level: 50, reason: 'interrupted', events_accepted: 0 });
    expect(r.stderr).not.toContain('time ran out');
  });
});

describe('subcommand usage', () => {
  it('a missing option prints the command\'s usage, its own options first and described, then the message (exit 2)', async () => {
    const r = await run(['usage'], { AFLO_API_KEY: 'k' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^aflo-tail usage\n/);
    expect(r.stderr).toMatch(/--meter-api-name +the meter/);
    expect(r.stderr.indexOf('--meter-api-name')).toBeLessThan(r.stderr.indexOf('Settings:'));
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('aflo-tail: Missing required argument: meter-api-name; aflo-tail usage --help shows the usage');
    const help = await run(['cancel', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.indexOf('--rule-id')).toBeLessThan(help.stdout.indexOf('Settings:'));
    expect(help.stdout).toContain('Examples:');
  });
});

describe('status', () => {
  it('names the backend the last run used when the settings now say another', async () => {
    writeFileSync(join(ws.logs, 'a.jsonl'), lines('a', 1));
    expect((await run(['--once', join(ws.logs, 'a.jsonl')], fastEnv(ws.state, ws.out))).code).toBe(0);
    const r = await run(['status', '--json'], { AFLO_STATE_DIR: ws.state, AFLO_BACKEND_TYPE: 's3' });
    expect(JSON.parse(r.stdout).backend).toMatchObject({ type: 'file', configured: 's3' });
    expect((await run(['status'], { AFLO_STATE_DIR: ws.state, AFLO_BACKEND_TYPE: 's3' })).stdout).toContain('backend: file (the settings now say s3)');
  });

  it('tells a rotated file from its successor at the same path (inode, rotated)', async () => {
    const log = join(ws.logs, 'app.log');
    writeFileSync(log, lines('old', 2));
    expect((await run(['--once', log], fastEnv(ws.state, ws.out))).code).toBe(0);
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines('new', 1));
    expect((await run(['--once', log], fastEnv(ws.state, ws.out))).code).toBe(0);
    const files = (await status(ws.state)).files as unknown as { path: string; inode: string; rotated: boolean }[];
    expect(files.filter((f) => f.path === log).map((f) => f.rotated).sort()).toEqual([false, true]);
    expect(new Set(files.map((f) => f.inode)).size).toBe(2);
    expect((await run(['status'], { AFLO_STATE_DIR: ws.state })).stdout).toMatch(/app\.log \(inode \d+, rotated\)/);
  });
});
