// --version and -h as a user types them: exit 0, the version of package.json, the usage; no settings are needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './cli.js';

const version = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version as string;

describe('--version and -h', () => {
  it('--version prints the package version and exits 0, whatever the settings', async () => {
    const r = await run(['--version'], { AFLO_BACKEND_TYPE: 's3' });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('-h and --help print the usage and exit 0; so does a subcommand\'s -h', async () => {
    for (const args of [['-h'], ['--help'], ['map', '-h']]) {
      const r = await run(args, { AFLO_BACKEND_TYPE: 's3' });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^aflo-tail /);
      expect(r.stderr).toBe('');
    }
  });
});
