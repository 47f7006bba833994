// SIGHUP stops like SIGTERM (drain, exit 0), and durations past what a timer can hold are refused at start.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { Daemon, deliveredIds, fastEnv, status, useWorkspace } from './harness.js';

const ws = useWorkspace();
let state: string, out: string, logs: string;
beforeEach(() => ({ state, out, logs } = ws));

describe('stopping and bounds', () => {
  it('SIGHUP drains what was read and exits 0, as SIGTERM does', async () => {
    const app = join(logs, 'app.log');
    writeFileSync(app, Array.from({ length: 7 }, (_, i) => slpLine(`h${i}`)).join('\n') + '\n');
    // A flush interval longer than the test: only the stop's drain sends the last partial batch.
    const d = new Daemon([app], fastEnv(state, out, { AFLO_FLUSH_INTERVAL: '600', AFLO_BATCH_SIZE: '1000' }));
    await new Promise((r) => setTimeout(r, 1500));
    const r = await d.stop('SIGHUP');
    expect(r.code).toBe(0);
    expect(deliveredIds(out)).toHaveLength(7);
    expect((await status(state)).events.buffered).toBe(0);
  });

  for (const [env, value] of [['AFLO_FLUSH_INTERVAL', '2592000'], ['AFLO_ONCE_TIMEOUT', '1e9'], ['AFLO_RETRY_MAX', '604801']]) {
    it(`refuses ${env}=${value} at start, exit 2, naming it`, async () => {
      const r = await run(['--once', join(logs, 'none.log')], fastEnv(state, out, { [env]: value }));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(env);
      expect(r.stderr).toContain('604800');
      expect(r.stderr).not.toContain('    at ');
    });
  }
});
