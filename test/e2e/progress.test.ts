// --once draws progress on a terminal (a pseudo-terminal from script(1)) and nothing when stderr is not one.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slpLine, tempDir } from '../helpers.js';
import { CLI, cleanEnv, run } from './cli.js';

describe('--once progress', () => {
  it('shows bytes, events, rate and time left on a terminal only', async () => {
    const dir = tempDir();
    const log = join(dir.path, 'a.jsonl');
    writeFileSync(log, Array.from({ length: 200 }, (_, i) => slpLine(`p${i}`)).join('\n') + '\n');
    const args = ['--once', '--backend', 'file', '--output-dir', join(dir.path, 'out'), log];
    const tty = spawnSync('script', ['-qec', `${process.execPath} ${CLI} ${args.join(' ')} --state-dir ${join(dir.path, 's1')}`, '/dev/null'], {
      encoding: 'utf8', env: cleanEnv({ AFLO_JSON_LOGS: 'false' }),
    });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/read [\d.]+ of [\d.]+ MB \(100%\), 800 events sent, [\d.]+ MB\/s, \d+ s left/);
    const piped = await run([...args, '--state-dir', join(dir.path, 's2')]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain('events sent');
    dir.remove();
  });
});
