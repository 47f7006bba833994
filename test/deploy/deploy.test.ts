// Deployment files: the systemd unit verifies, and the container's runtime stage (production-only install) runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { Daemon, fastEnv, freePort, waitFor, workspace } from '../e2e/harness.js';

const root = join(import.meta.dirname, '../..');

describe('systemd unit', () => {
  const unit = readFileSync(join(root, 'systemd/aflo-tail.service'), 'utf8');
  it('passes systemd-analyze verify', () => {
    const dir = tempDir();
    copyFileSync(join(root, 'systemd/aflo-tail.service'), join(dir.path, 'aflo-tail.service'));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir.path, 'aflo-tail.service')], { encoding: 'utf8' });
    dir.remove();
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('has the settings the issue asks for', () => {
    for (const line of ['EnvironmentFile=/etc/aflo-tail/aflo-tail.env', 'StateDirectory=aflo-tail', 'LoadCredential=', 'AFLO_API_KEY_FILE=%d/',
      'Restart=on-failure', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'DynamicUser=yes']) {
      expect(unit).toContain(line);
    }
    const stop = Number(/TimeoutStopSec=(\d+)/.exec(unit)?.[1]);
    expect(stop).toBeGreaterThan(10);
  });
});

describe('container health check', () => {
  // The command Docker runs (shell form: /bin/sh -c), as the Dockerfile has it, with the image's default setting.
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const check = /HEALTHCHECK[^\n]*\\\n\s*CMD (.+)/.exec(dockerfile)![1];
  const imageAddr = /ENV AFLO_HTTP_ADDR=(\S+)/.exec(dockerfile)![1];
  const probe = (addr: string) => spawnSync('/bin/sh', ['-c', check], { env: { ...process.env, AFLO_HTTP_ADDR: addr }, encoding: 'utf8', timeout: 20_000 }).status;

  it('the image serves health on loopback by default; the check asks the address the setting names', async () => {
    expect(imageAddr).toBe('127.0.0.1:8080');
    const ws = workspace();
    const port = await freePort();
    writeFileSync(join(ws.logs, 'a.log'), '');
    // Nothing listens yet: unhealthy.
    expect(probe(`127.0.0.1:${port}`)).toBe(1);
    const d = new Daemon([join(ws.logs, 'a.log')], fastEnv(ws.state, ws.out, { AFLO_HTTP_ADDR: `127.0.0.1:${port}` }));
    try {
      await waitFor(() => probe(`127.0.0.1:${port}`) === 0, 'healthy');
      expect(probe(String(port))).toBe(0);
      expect(probe(`0.0.0.0:${port}`)).toBe(0);
      // No endpoint configured: nothing to ask, and a running container is not marked unhealthy.
      expect(probe('')).toBe(0);
    } finally {
      await d.stop();
      ws.remove();
    }
  }, 60_000);
});

describe('container runtime stage', () => {
  it('installs production dependencies only and runs', () => {
    const dir = tempDir('aflo-runtime-');
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(root, f), join(dir.path, f));
    cpSync(join(root, 'dist'), join(dir.path, 'dist'), { recursive: true });
    const env = { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr', NODE_ENV: 'production' };
    execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: dir.path, env, stdio: 'pipe' });
    expect(() => execFileSync('node', ['-e', "require.resolve('vitest')"], { cwd: dir.path, stdio: 'pipe' })).toThrow();
    const help = execFileSync('node', ['dist/cli.js', '--help'], { cwd: dir.path, encoding: 'utf8' });
    expect(help).toContain('aflo-tail');
    const once = spawnSync('node', ['dist/cli.js', '--once', '--backend', 'stdout', '--state-dir', join(dir.path, 'state'), '-'], {
      cwd: dir.path, input: readFileSync(join(root, 'examples/sample-litellm.log')), encoding: 'utf8',
    });
    expect(once.status).toBe(0);
    expect(once.stdout.trim().split('\n')).toHaveLength(23);
    dir.remove();
  }, 300_000);
});
