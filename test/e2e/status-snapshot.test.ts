// `status` while the daemon commits: one snapshot, so the books balance in every sample (they did not in 5 of
// 3,192 when counters and buffer were read in separate statements).
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStatus } from '../../src/commands/status.js';
import { loadSettings } from '../../src/config/load.js';
import { slpLine } from '../helpers.js';
import { balanced, Daemon, fastEnv, useWorkspace, waitFor } from './harness.js';

const ws = useWorkspace();

describe('status while the daemon commits', () => {
  it('balances in every one of 3,000 samples', async () => {
    const app = join(ws.logs, 'app.log');
    writeFileSync(app, '');
    const env = fastEnv(ws.state, ws.out, { AFLO_BATCH_SIZE: '7', AFLO_FLUSH_INTERVAL: '0.05', AFLO_POLL_INTERVAL: '0.01' });
    const d = new Daemon([app], env);
    const loaded = loadSettings({ flags: {}, env });
    if (!loaded.ok) throw new Error(loaded.errors.join());
    let n = 0;
    const writer = setInterval(() => {
      appendFileSync(app, Array.from({ length: 3 }, () => slpLine(`s${n++}`)).join('\n') + '\n');
    }, 2);
    try {
      await waitFor(() => readStatus(loaded.settings, Date.now).events.accepted > 0, 'the daemon committing and sending');
      let unbalanced = 0;
      for (let i = 0; i < 3000; i++) {
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
        const s = readStatus(loaded.settings, Date.now);
        if (!balanced(s)) unbalanced++;
      }
      expect(unbalanced).toBe(0);
    } finally {
      clearInterval(writer);
      await d.stop();
    }
  }, 60_000);
});
