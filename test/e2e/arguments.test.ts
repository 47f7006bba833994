// Arguments as a user mistypes them: an unknown flag or a command one typo away is exit 2 with "did you mean",
// never a daemon started on a file named after the typo.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { fastEnv, useWorkspace } from './harness.js';

const ws = useWorkspace();

describe('mistyped arguments', () => {
  it('an unknown flag is exit 2 naming it and the flag meant; it never swallows the next argument', async () => {
    const r = await run(['--once', '--batchsize', '10', join(ws.logs, 'a.log')], { AFLO_BACKEND_TYPE: 'stdout' }, undefined, { cwd: ws.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown argument: batchsize (did you mean --batch-size?)');
    const m = await run(['map', '--hostedenv', 'x', join(ws.logs, 'a.log')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('did you mean --hosted-env?');
  });

  it('a mistyped command is exit 2 with the command meant, and no state directory is made', async () => {
    const r = await run(['stauts'], {}, undefined, { cwd: ws.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command stauts (did you mean status?)');
    expect(existsSync(join(ws.path, '.aflo-tail'))).toBe(false);
  });
});

describe('honest answers on an empty state', () => {
  it('status on a state directory that does not exist says so and exits 1; dlq list with nothing says so', async () => {
    const r = await run(['status', '--json', '--state-dir', join(ws.path, 'nothing-here')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no state in');
    const d = await run(['dlq', 'list', '--state-dir', join(ws.path, 'nothing-here')]);
    expect(d.code).toBe(0);
    expect(d.stdout).toBe('');
    expect(d.stderr).toContain('no dead-lettered events');
  });
});

describe('a new run', () => {
  it('starts its backoff afresh: attempts of an earlier run do not carry over', async () => {
    const { writeFileSync } = await import('node:fs');
    const Database = (await import('better-sqlite3')).default;
    const log = join(ws.logs, 'a.log');
    writeFileSync(log, slpLine('x') + '\n');
    writeFileSync(join(ws.path, 'blocker'), 'a file where the output directory should be');
    const failing = (extra: Record<string, string>) => fastEnv(ws.state, join(ws.path, 'blocker', 'out'), extra);
    expect((await run(['--once', log], failing({ AFLO_ONCE_TIMEOUT: '2', AFLO_RETRY_INITIAL: '0.05', AFLO_RETRY_MAX: '0.1' }))).code).toBe(1);
    const attempts = () => {
      const db = new Database(join(ws.state, 'state.db'), { readonly: true });
      try { return (db.prepare('SELECT max(attempts) AS n FROM batches').get() as { n: number }).n; } finally { db.close(); }
    };
    expect(attempts()).toBeGreaterThan(3);
    // The next run's first retry would wait up to a week: it sends once, then waits, and its count starts from 0.
    expect((await run(['--once', log], failing({ AFLO_ONCE_TIMEOUT: '1', AFLO_RETRY_INITIAL: '604800', AFLO_RETRY_MAX: '604800' }))).code).toBe(1);
    expect(attempts()).toBe(1);
  });
});
