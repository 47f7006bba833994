// Inputs that cannot be read, as the service user meets them (run as `nobody`: root ignores file modes): logged
// once per change, in /metrics and /healthz, and --once exits 1; a glob that matches nothing is only a warning.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { Daemon, deliveredIds, fastEnv, freePort, lastLog, logLines, useWorkspace, waitFor } from './harness.js';

const dir = useWorkspace();
let state: string, out: string, logs: string;
// The service user must reach the workspace; what it may not read is set per test.
beforeEach(() => { ({ state, out, logs } = dir); chmodSync(dir.path, 0o777); chmodSync(logs, 0o777); });

const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => slpLine(`${prefix}-${i}`)).join('\n') + '\n';

describe('inputs that cannot be read', () => {
  it('--once: a file of mode 000 exits 1 naming it and EACCES; the readable file is delivered', async () => {
    writeFileSync(join(logs, 'a.jsonl'), lines('a', 3));
    writeFileSync(join(logs, 'secret.jsonl'), lines('s', 2));
    chmodSync(join(logs, 'secret.jsonl'), 0o000);
    const r = await run(['--once', join(logs, '*.jsonl')], fastEnv(state, out), undefined, { asNobody: true });
    expect(r.code).toBe(1);
    expect(lastLog(r.stderr)).toMatchObject({ msg: 'stopped; some inputs could not be read', inputs: [{ path: join(logs, 'secret.jsonl'), code: 'EACCES' }] });
    const errors = logLines(r.stderr).filter((l) => l.problem === 'unreadable');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: join(logs, 'secret.jsonl'), code: 'EACCES' });
    expect(deliveredIds(out)).toEqual(['a-0', 'a-1', 'a-2']);
  });

  it('--once: an unreadable directory under a glob, and a missing named path, exit 1 naming each', async () => {
    const closed = join(logs, 'closed');
    mkdirSync(closed);
    writeFileSync(join(closed, 'x.jsonl'), lines('x', 1));
    chmodSync(closed, 0o000);
    const r = await run(['--once', join(closed, '*.jsonl'), join(logs, 'nope.jsonl')], fastEnv(state, out), undefined, { asNobody: true });
    expect(r.code).toBe(1);
    expect(lastLog(r.stderr).inputs).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: closed, code: 'EACCES' }), expect.objectContaining({ path: join(logs, 'nope.jsonl'), code: 'ENOENT' })]));
  });

  it('--once: a glob that matches nothing is a warning, exit 0', async () => {
    const r = await run(['--once', join(logs, '*.jsonl')], fastEnv(state, out), undefined, { asNobody: true });
    expect(r.code).toBe(0);
    expect(logLines(r.stderr).filter((l) => l.problem === 'no_match')).toMatchObject([{ path: join(logs, '*.jsonl'), level: 40 }]);
  });

  it('daemon: logged once, /healthz 503 and /metrics name it; once readable it is read and health returns', async () => {
    const secret = join(logs, 'secret.jsonl');
    writeFileSync(secret, lines('s', 2));
    chmodSync(secret, 0o000);
    const port = await freePort();
    const d = new Daemon([join(logs, '*.jsonl')], fastEnv(state, out, { AFLO_HTTP_ADDR: `127.0.0.1:${port}` }), { asNobody: true });
    const health = async () => { try { return await fetch(`http://127.0.0.1:${port}/healthz`); } catch { return undefined; } };
    let h: Response | undefined;
    for (let i = 0; i < 200 && h?.status !== 503; i++) { h = await health(); await new Promise((r) => setTimeout(r, 50)); }
    expect(h?.status).toBe(503);
    expect(await h!.text()).toContain(`cannot read ${secret} (EACCES)`);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain(`aflo_input_problems{path="${secret}",problem="unreadable",code="EACCES"} 1`);
    await new Promise((r) => setTimeout(r, 1000)); // ten scans
    chmodSync(secret, 0o644);
    await waitFor(() => deliveredIds(out).length === 2, 'the file once readable');
    expect((await health())?.status).toBe(200);
    const r = await d.stop();
    const logged = logLines(r.stderr);
    expect(logged.filter((l) => l.problem === 'unreadable')).toHaveLength(1);
    expect(logged.filter((l) => l.msg === 'input readable again')).toHaveLength(1);
  });
});
