// kill -9 at random moments while lines are appended and files rotated: nothing lost, nothing counted twice, and
// the ledger (`report`) counts every event once, read and shipped, whatever was re-sent.
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { balanced, Daemon, delivered, fastEnv, status, waitFor, useWorkspace } from './harness.js';

const dir = useWorkspace();
let state: string, out: string, logs: string;
beforeEach(() => ({ state, out, logs } = dir));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Groups delivered records by event identity; every copy of one event must be the same bytes. */
function checkDuplicatesIdentical(records: string[]): void {
  const byKey = new Map<string, string>();
  for (const r of records) {
    const e = JSON.parse(r);
    const key = `${e.uniqueId}|${e.meterApiName}|${e.dimensions.type ?? ''}|${e.dimensions.cache ?? ''}`;
    const seen = byKey.get(key);
    if (seen !== undefined) expect(r).toBe(seen);
    else byKey.set(key, r);
  }
}

describe('crash safety', () => {
  it('survives 24 rounds of kill -9 during appends and rotations', async () => {
    const app = join(logs, 'app.log');
    const written: string[] = [];
    let n = 0;
    let rotations = 0;
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const write = (count: number) => {
      let text = '';
      for (let i = 0; i < count; i++) {
        const id = `e${n++}`;
        written.push(id);
        text += slpLine(id) + '\n';
      }
      appendFileSync(app, text);
    };
    writeFileSync(app, '');
    const env = fastEnv(state, out, { AFLO_BATCH_SIZE: '7', AFLO_FLUSH_INTERVAL: '0.05' });
    for (let round = 0; round < 24; round++) {
      const d = new Daemon([join(logs, 'app.log*')], env);
      const until = Date.now() + 150 + rand() * 450;
      while (Date.now() < until) {
        write(1 + Math.floor(rand() * 20));
        if (rand() < 0.15) {
          rotations++;
          renameSync(app, join(logs, `app.log.${rotations}`));
          writeFileSync(app, '');
        }
        await sleep(rand() * 40);
      }
      d.child.kill('SIGKILL');
      const r = await d.done;
      expect(r.signal).toBe('SIGKILL');
      if (rand() < 0.3) write(5);
    }
    const final = await run(['--once', join(logs, 'app.log*')], env);
    expect(final.code).toBe(0);
    const records = delivered(out);
    checkDuplicatesIdentical(records);
    const ids = new Set(records.map((r) => JSON.parse(r)).filter((e) => e.meterApiName === 'llm_requests').map((e) => e.uniqueId));
    expect([...ids].sort()).toEqual([...written].sort());
    const s = await status(state);
    expect(balanced(s)).toBe(true);
    expect(s.entries.read).toBe(written.length);
    expect(s.entries.mapped).toBe(written.length);
    expect(s.events).toMatchObject({ produced: written.length * 4, accepted: written.length * 4, buffered: 0 });
    expect(rotations).toBeGreaterThan(2);
    const report = await run(['report', '--start', '2025-12-17', '--end', '2025-12-18', '--format', 'json'], env);
    const byMeter = Object.fromEntries((JSON.parse(report.stdout) as Record<string, number>[]).map((r) => [r.meter, r]));
    const w = written.length;
    expect(byMeter.llm_requests).toMatchObject({ read: w, shipped: w, events_read: w, events_shipped: w, not_shipped: 0 });
    expect(byMeter.llm_text_tokens).toMatchObject({ read: 30 * w, shipped: 30 * w, events_read: 2 * w, events_shipped: 2 * w });
    expect(byMeter.llm_seconds.shipped).toBeCloseTo(1.79469 * w, 4);
  }, 120_000);
});

describe('backpressure', () => {
  it('a stalled backend pauses reading; the buffer never exceeds AFLO_MAX_BUFFER_SIZE; nothing is lost on recovery', async () => {
    const big = join(logs, 'big.log');
    const count = 3000;
    writeFileSync(big, Array.from({ length: count }, (_, i) => slpLine(`b${i}`)).join('\n') + '\n');
    const blocker = join(dir.path, 'blocked');
    writeFileSync(blocker, 'not a directory');
    const d = new Daemon([big], fastEnv(state, join(blocker, 'out'), { AFLO_MAX_BUFFER_SIZE: '100', AFLO_BATCH_SIZE: '20' }));
    let maxSeen = 0;
    for (let i = 0; i < 15; i++) {
      await sleep(100);
      if (!existsSync(join(state, 'state.db'))) continue;
      const s = await status(state);
      maxSeen = Math.max(maxSeen, s.events.buffered);
      expect(s.events.buffered).toBeLessThanOrEqual(100);
      expect(s.entries.read).toBeLessThanOrEqual(25);
    }
    expect(maxSeen).toBe(100);
    rmSync(blocker);
    await waitFor(() => delivered(join(blocker, 'out')).length === count * 4, 'everything after recovery', 60_000);
    const s = await status(state);
    expect(s.events).toMatchObject({ produced: count * 4, accepted: count * 4, buffered: 0, dropped: 0 });
    expect(balanced(s)).toBe(true);
    // The pause is said in the log (buffer-watch.ts), as information: nothing is lost.
    const full = (await d.stop()).stderr.split('\n').filter((l) => l.includes('reading paused until batches are accepted')).map((l) => JSON.parse(l));
    expect(full.length).toBeGreaterThan(0);
    expect(full[0]).toMatchObject({ level: 30, max_buffer_size: 100, buffer_full: 'block' });
  }, 90_000);

  it('drop_newest counts every dropped event and keeps the books balanced', async () => {
    const big = join(logs, 'big.log');
    writeFileSync(big, Array.from({ length: 100 }, (_, i) => slpLine(`d${i}`)).join('\n') + '\n');
    writeFileSync(join(dir.path, 'blocked'), 'x');
    const env = fastEnv(state, join(dir.path, 'blocked', 'o'), { AFLO_MAX_BUFFER_SIZE: '40', AFLO_BUFFER_FULL: 'drop_newest', AFLO_ONCE_TIMEOUT: '0.5' });
    const r = await run(['--once', big], env);
    expect(r.code).toBe(1);
    // The log says so too (buffer-watch.ts), with the count.
    const warned = r.stderr.split('\n').filter((l) => l.includes('new events are dropped')).map((l) => JSON.parse(l));
    expect(warned).toMatchObject([{ level: 40, dropped: 360, max_buffer_size: 40, buffer_full: 'drop_newest' }]);
    const s = await status(state);
    expect(s.entries).toMatchObject({ read: 100, mapped: 100 });
    expect(s.events).toMatchObject({ produced: 400, buffered: 40, dropped: 360 });
    expect(balanced(s)).toBe(true);
  });
});
