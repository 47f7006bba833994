// What a user sees when a setting or a path cannot be used: one line naming it and what to do, the right exit code,
// never a stack trace. Permissions are tried as the user `nobody` (root ignores file modes).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { fastEnv, useWorkspace } from './harness.js';

const ws = useWorkspace();
let log: string;
beforeEach(() => {
  chmodSync(ws.path, 0o755);
  log = join(ws.logs, 'a.jsonl');
  writeFileSync(log, slpLine('a') + '\n');
  chmodSync(ws.logs, 0o755);
  chmodSync(log, 0o644);
});

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  return stderr.trim();
}

describe('the settings file', () => {
  it('a missing settings file is exit 2 naming the setting; --env-file (Node\'s own option) points to --settings-file', async () => {
    const r = await run(['--once', '--settings-file', join(ws.path, 'nope.env'), log]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`aflo-tail: AFLO_SETTINGS_FILE (--settings-file): cannot read ${join(ws.path, 'nope.env')} (ENOENT)`);
    writeFileSync(join(ws.path, 'x.env'), '');
    const old = await run(['--env-file', join(ws.path, 'x.env'), '--once', log]);
    expect(old.code).toBe(2);
    expect(old.stderr).toContain('Unknown argument: env-file (did you mean --settings-file?)');
  });

  it('is read from --settings-file or AFLO_SETTINGS_FILE', async () => {
    writeFileSync(join(ws.path, 'aflo.env'), 'AFLO_HOSTED_ENV=from-the-file\n');
    for (const [args, env] of [[['--settings-file', join(ws.path, 'aflo.env')], {}], [[], { AFLO_SETTINGS_FILE: join(ws.path, 'aflo.env') }]] as const) {
      const r = await run(['map', ...args, log], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('"hostedEnv":"from-the-file"');
    }
  });
});

describe('the state directory', () => {
  it('a file where the directory should be is exit 2, for the daemon and for status', async () => {
    writeFileSync(join(ws.path, 'state-file'), '');
    const env = fastEnv(join(ws.path, 'state-file'), ws.out);
    const r = await run(['--once', log], env);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain(`AFLO_STATE_DIR (--state-dir): ${join(ws.path, 'state-file')} is a file, not a directory`);
    const s = await run(['status'], env);
    expect(s.code).toBe(2);
    expect(oneLine(s.stderr)).toContain('is a file, not a directory');
  });

  it('one this user may not write, or make, is exit 2 naming it and what to do', async () => {
    mkdirSync(ws.state, { mode: 0o755 });
    const r = await run(['--once', log], fastEnv(ws.state, join(ws.path, 'out')), undefined, { asNobody: true });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`aflo-tail: AFLO_STATE_DIR (--state-dir): cannot write ${ws.state} (EACCES): run as the user that owns it (the one aflo-tail runs as), or give this user access`);
    const deeper = join(ws.state, 'sub');
    const m = await run(['--once', log], fastEnv(deeper, join(ws.path, 'out')), undefined, { asNobody: true });
    expect(m.code).toBe(2);
    expect(oneLine(m.stderr)).toContain(`cannot make ${deeper} (EACCES): make it for the user aflo-tail runs as`);
  });

  it('status as another user: exit 1 when it may not read; read from a copy when it may read but not write', async () => {
    const env = fastEnv(ws.state, ws.out);
    expect((await run(['--once', log], env)).code).toBe(0);
    const denied = await run(['status', '--json'], env, undefined, { asNobody: true });
    expect(denied.code).toBe(1);
    expect(oneLine(denied.stderr)).toBe(`aflo-tail: cannot read the state in ${ws.state} (EACCES): run as the user that owns it (the one aflo-tail runs as), or give this user access`);
    // An operator opens it for reading (group or world), not for writing: status answers from the database as it is.
    chmodSync(ws.state, 0o755);
    chmodSync(join(ws.state, 'state.db'), 0o644);
    const read = await run(['status', '--json'], env, undefined, { asNobody: true });
    expect(read.stderr).toBe('');
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout).events).toMatchObject({ produced: 4, accepted: 4 });
    const listed = await run(['dlq', 'list'], env, undefined, { asNobody: true });
    expect(listed.code).toBe(0);
  });
});

describe('other paths and addresses', () => {
  it('map given a directory is exit 2 saying to give the files', async () => {
    const r = await run(['map', ws.logs]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`aflo-tail: map reads files: ${ws.logs} is a directory (give the files in it, e.g. ${ws.logs}/*.log)`);
  });

  it('an --http-addr that cannot be bound is exit 2 naming the setting and why', async () => {
    writeFileSync(join(ws.path, 'token'), 'a-token-of-enough-length\n', { mode: 0o600 });
    const foreign = await run(['--once', '--http-addr', '192.0.2.1:8080', '--ingest-token-file', join(ws.path, 'token'), log], fastEnv(ws.state, ws.out));
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('aflo-tail: AFLO_HTTP_ADDR (--http-addr): cannot listen on 192.0.2.1:8080 (EADDRNOTAVAIL)');
    expect(foreign.stderr).not.toMatch(/internal error|\n\s+at /);
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (taken.address() as { port: number }).port;
      const busy = await run(['--once', '--http-addr', `127.0.0.1:${port}`, log], fastEnv(join(ws.path, 'state2'), ws.out));
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE): another program listens there`);
    } finally {
      taken.close();
    }
  });
});
