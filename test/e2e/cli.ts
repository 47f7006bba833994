// Runs the built CLI as a real child process and collects its output and exit code.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '../../dist/cli.js');

export interface Ran { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Environment with no AFLO_/AWS_/AZURE_ variables from the machine, plus the given ones. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(AFLO_|AWS_|AZURE_|STATE_DIRECTORY)/.test(k)) env[k] = v;
  }
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

/** The user `nobody` when the tests run as root (root ignores file modes); else the user running them. */
export const NOBODY = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

export interface StartOptions { cwd?: string; asNobody?: boolean }

export function start(args: string[], env: Record<string, string> = {}, opts: StartOptions = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    env: cleanEnv(env), cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], ...(opts.asNobody ? NOBODY : {}),
  });
}

export function finished(child: ChildProcess): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => { stdout += d; });
  child.stderr?.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

export async function run(args: string[], env: Record<string, string> = {}, input?: string | Buffer, opts: StartOptions = {}): Promise<Ran> {
  const child = start(args, env, opts);
  const done = finished(child);
  if (input !== undefined) child.stdin?.end(input);
  else child.stdin?.end();
  return done;
}
