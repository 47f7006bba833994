// `dlq replay` while the daemon runs: the daemon replays in its own transactions, so the replayed events are
// numbered by it and arrive; later lines do not reuse their numbers, and the books balance.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFakeIngest } from '../fakes/ingest-server.js';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { balanced, Daemon, fastEnv, status, useWorkspace, waitFor } from './harness.js';

const ws = useWorkspace();
const fake = useFakeIngest('k-1');

describe('dlq replay', () => {
  it('with the daemon running, hands the replay to it; every replayed event arrives and the counters balance', async () => {
    let fixed = false;
    fake.server.script = ({ records }) => (!fixed && records.some((r) => r.uniqueId === 'x3') ? { status: 400, body: '{"message":"bad"}' } : undefined);
    const app = join(ws.logs, 'app.log');
    writeFileSync(app, Array.from({ length: 10 }, (_, i) => slpLine(`x${i}`)).join('\n') + '\n');
    const env = { ...fastEnv(ws.state, ws.out), AFLO_BACKEND_TYPE: 'api', AFLO_API_ENDPOINT: fake.server.url, AFLO_API_KEY: 'k-1', AFLO_BATCH_SIZE: '8' };
    const d = new Daemon([app], env);
    await waitFor(() => fake.server.ids().length === 9, 'the other entries');
    for (let i = 0; i < 100 && (await status(ws.state)).events.dead_lettered < 4; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await status(ws.state)).events.dead_lettered).toBe(4);
    fixed = true;
    const r = await run(['dlq', 'replay', '--state-dir', ws.state], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/replayed 4 dead-lettered events; the running aflo-tail \(pid \d+\) sends them/);
    appendFileSync(app, Array.from({ length: 10 }, (_, i) => slpLine(`y${i}`)).join('\n') + '\n');
    await waitFor(() => fake.server.ids().length === 20, 'replayed and new events', 30_000);
    expect(fake.server.ids()).toContain('x3');
    const stopped = await d.stop();
    expect(stopped.code).toBe(0);
    const after = await status(ws.state);
    expect(balanced(after)).toBe(true);
    expect(after.events).toMatchObject({ dead_lettered: 0, buffered: 0, accepted: 80 });
    expect(fake.server.records()).toHaveLength(80);
  }, 60_000);
});
