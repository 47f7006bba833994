// Soak: a writer that appends, renames, copytruncates with a slow copy, compresses on rotation and starts files
// sharing a long banner, while the daemon is killed (-9) at random moments and dead letters are replayed while it
// runs. At the end what the fake Amberflo accepted is exactly what `map` makes of everything written: nothing
// missing, nothing extra, a record sent twice only inside the same whole batch sent again, the counters balanced.
import { appendFileSync, closeSync, openSync, readFileSync, renameSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useFakeIngest } from '../fakes/ingest-server.js';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { balanced, Daemon, fastEnv, status, useWorkspace, waitFor } from './harness.js';

const ws = useWorkspace();
const fake = useFakeIngest('k-1');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BANNER = Array.from({ length: 30 }, (_, i) => `INFO:     LiteLLM proxy starting, worker ${i % 4}, config loaded (${i})`).join('\n') + '\n';

describe('soak', () => {
  it('kill -9, every kind of rotation, shared banners and a replay while running: exactly what was written', async () => {
    const { logs, state } = ws;
    const app = join(logs, 'app.log');
    const all: string[] = [];
    let n = 0;
    let rotations = 0;
    let others = 0;
    let seed = 777;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    /** Entries for a file; about one in 25 is refused by the backend until it is "fixed". */
    const entries = (count: number) => {
      let text = '';
      for (let i = 0; i < count; i++) {
        const id = `e${n++}${rand() < 0.04 ? '-bad' : ''}`;
        const line = slpLine(id, { prompt_tokens: n % 97, completion_tokens: n % 13 });
        all.push(line);
        text += line + '\n';
      }
      return text;
    };
    const slowCopy = async (from: string, to: string) => {
      const bytes = readFileSync(from);
      const fd = openSync(to, 'w');
      for (let at = 0; at < bytes.length;) {
        const len = Math.min(bytes.length - at, 700 + Math.floor(rand() * 20_000));
        writeSync(fd, bytes, at, len);
        at += len;
        await sleep(rand() * 150);
      }
      closeSync(fd);
    };
    // One of each rotation the users' logrotate set-ups make, and a new file sharing the banner.
    const rotate = async () => {
      const kind = Math.floor(rand() * 4);
      const to = join(logs, `app.log.${++rotations}`);
      if (kind === 0) {
        renameSync(app, to);
        writeFileSync(app, BANNER);
      } else if (kind === 1) {
        await slowCopy(app, to);
        truncateSync(app, 0);
      } else if (kind === 2) {
        renameSync(app, to);
        writeFileSync(`${to}.gz`, gzipSync(readFileSync(to)));
        unlinkSync(to);
        writeFileSync(app, BANNER);
      } else {
        writeFileSync(join(logs, `other-${++others}.log`), BANNER + entries(3 + Math.floor(rand() * 20)));
      }
    };
    let fixed = false;
    fake.server.script = ({ records }) => (!fixed && records.some((r) => String(r.uniqueId).endsWith('-bad')) ? { status: 400, body: '{"message":"bad"}' } : undefined);
    writeFileSync(app, BANNER);
    const env = { ...fastEnv(state, ws.out), AFLO_BACKEND_TYPE: 'api', AFLO_API_ENDPOINT: fake.server.url, AFLO_API_KEY: 'k-1',
      AFLO_BATCH_SIZE: '9', AFLO_FLUSH_INTERVAL: '0.05', AFLO_MAX_OPEN_FILES: '4' };
    const inputs = [join(logs, 'app.log*'), join(logs, 'other-*.log')];
    let replayed = false;
    for (let round = 0; round < 20; round++) {
      const d = new Daemon(inputs, env);
      const until = Date.now() + 200 + rand() * 500;
      while (Date.now() < until) {
        appendFileSync(app, entries(1 + Math.floor(rand() * 15)));
        if (rand() < 0.25) await rotate();
        await sleep(rand() * 40);
      }
      if (round === 12) {
        // The cause of the refusals is fixed; the dead letters are replayed while the daemon runs.
        await waitFor(() => fake.server.requests > 0, 'a send');
        fixed = true;
        const r = await run(['dlq', 'replay', '--state-dir', state], env);
        expect(r.code).toBe(0);
        replayed = /replayed \d+/.test(r.stdout);
        await sleep(300);
      }
      d.child.kill('SIGKILL');
      expect((await d.done).signal).toBe('SIGKILL');
    }
    expect(replayed).toBe(true);
    // What was dead-lettered after the replay (a refusal under way) is replayed now, then everything is sent.
    expect((await run(['dlq', 'replay', '--state-dir', state], env)).code).toBe(0);
    const last = await run(['--once', ...inputs], env);
    expect(last.code).toBe(0);

    writeFileSync(join(ws.path, 'all.jsonl'), all.join('\n') + '\n');
    const mapped = await run(['map', join(ws.path, 'all.jsonl')]);
    const expected = new Set(mapped.stdout.trim().split('\n').map((l) => JSON.stringify(JSON.parse(l))));
    const got = new Set(fake.server.accepted.keys());
    expect([...expected].filter((r) => !got.has(r))).toEqual([]);
    expect([...got].filter((r) => !expected.has(r))).toEqual([]);
    // A record accepted twice was only ever part of the same whole batch, sent again byte for byte.
    const batchOf = new Map<string, string>();
    for (const b of fake.server.batches) {
      const text = b.join('\n');
      for (const r of b) {
        const seen = batchOf.get(r);
        if (seen !== undefined) expect(text).toBe(seen);
        else batchOf.set(r, text);
      }
    }
    const s = await status(state);
    expect(balanced(s)).toBe(true);
    expect(s.events).toMatchObject({ buffered: 0, dead_lettered: 0 });
    expect(s.events.accepted).toBe(expected.size);
    console.log(`soak: ${all.length} entries, ${expected.size} records, ${rotations} rotations, ${others} banner files, ${fake.server.requests} requests`);
  }, 120_000);
});
