// Helpers for end-to-end tests: a daemon in a child process, what the file backend received, waiting, status.
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach } from 'vitest';
import { JS_MAPPER_ONLY, slpLine, tempDir } from '../helpers.js';
import { finished, run, start, type Ran, type StartOptions } from './cli.js';

/** Fast timings so tests take seconds; nothing here depends on the machine being fast. */
export function fastEnv(stateDir: string, outDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AFLO_BACKEND_TYPE: 'file', AFLO_OUTPUT_DIR: outDir, AFLO_STATE_DIR: stateDir, AFLO_POLL_INTERVAL: '0.1',
    AFLO_FLUSH_INTERVAL: '0.2', AFLO_BATCH_SIZE: '50', AFLO_RETRY_INITIAL: '0.05', AFLO_RETRY_MAX: '0.5',
    AFLO_SHUTDOWN_TIMEOUT: '5', AFLO_ONCE_TIMEOUT: '20', AFLO_JSON_LOGS: 'true', ...(JS_MAPPER_ONLY ? { AFLO_NATIVE_MAPPER: 'false' } : {}), ...extra,
  };
}

/** Every record the file backend holds, across all objects (a re-sent batch overwrites its own object). */
export function delivered(outDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try { names = readdirSync(dir); } catch { return; }
    for (const n of names) {
      const p = join(dir, n);
      if (n.endsWith('.json.gz')) for (const r of JSON.parse(gunzipSync(readFileSync(p)).toString()) as unknown[]) out.push(JSON.stringify(r));
      else if (!n.includes('.tmp-') && statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
    }
  };
  walk(outDir);
  return out;
}

export function deliveredIds(outDir: string, meter = 'llm_requests'): string[] {
  return delivered(outDir).map((r) => JSON.parse(r)).filter((e) => e.meterApiName === meter).map((e) => e.uniqueId).sort();
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The JSON log lines on stderr; every line must be one (JSON logs are the default). */
export function logLines(stderr: string): Record<string, unknown>[] {
  return stderr.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The last log line: how a run ended, with its totals. */
export function lastLog(stderr: string): Record<string, unknown> {
  return logLines(stderr).at(-1) ?? {};
}

export interface StatusJson {
  entries: Record<string, number>;
  events: { produced: number; accepted: number; buffered: number; dead_lettered: number; dropped: number };
  files: { path: string; offset: number; size: number }[];
  backend: { type: string; last_success: string | null; last_error: unknown };
  dead_letters: number;
}

export async function status(stateDir: string): Promise<StatusJson> {
  const r = await run(['status', '--json', '--state-dir', stateDir]);
  if (r.code !== 0) throw new Error(`status failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as StatusJson;
}

/** The accounting identities (README, "What it guarantees"). */
export function balanced(s: StatusJson): boolean {
  const e = s.entries;
  const v = s.events;
  return e.read === e.mapped + e.not_usage + e.invalid + e.too_long && v.produced === v.accepted + v.buffered + v.dead_lettered + v.dropped;
}

export class Daemon {
  readonly child: ChildProcess;
  readonly done: Promise<Ran>;
  constructor(args: string[], env: Record<string, string>, opts: StartOptions = {}) {
    this.child = start(args, env, opts);
    this.child.stdin?.end();
    this.done = finished(this.child);
  }
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Ran> {
    this.child.kill(signal);
    return this.done;
  }
}

/** A fresh temp workspace per test: state directory, file-backend output and a logs folder. */
export interface Workspace { path: string; state: string; out: string; logs: string; remove: () => void }

export function workspace(): Workspace {
  const dir = tempDir();
  const logs = join(dir.path, 'logs');
  mkdirSync(logs);
  return { path: dir.path, state: join(dir.path, 'state'), out: join(dir.path, 'out'), logs, remove: dir.remove };
}

/** Registers a fresh workspace per test (and its removal); read its fields inside the tests. */
export function useWorkspace(): Workspace {
  const ws = {} as Workspace;
  beforeEach(() => { Object.assign(ws, workspace()); });
  afterEach(() => ws.remove());
  return ws;
}

/** A port nothing listens on right now (bound and released), for a daemon's AFLO_HTTP_ADDR. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Per test: a temp directory (`path`), a state directory in it, and `log`, a log file of one entry per id. */
export interface LogFixture { path: string; state: string; log: string }

export function useLogFile(ids: string[]): LogFixture {
  const fx = {} as LogFixture;
  let remove = () => {};
  beforeEach(() => {
    const dir = tempDir();
    remove = dir.remove;
    mkdirSync(join(dir.path, 'logs'));
    Object.assign(fx, { path: dir.path, state: join(dir.path, 'state'), log: join(dir.path, 'logs', 'a.jsonl') });
    writeFileSync(fx.log, ids.map((id) => slpLine(id)).join('\n') + '\n');
  });
  afterEach(() => remove());
  return fx;
}
