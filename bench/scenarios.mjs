// The benchmark scenarios: each returns wall time, CPU, RSS and event count for one run over the generated file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { followScenarios } from './follow.mjs';

const eventsFrom = (stderr) => Number(/events=(\d+)/.exec(stderr)?.[1] ?? 0);

export function scenarios(ctx) {
  const { data, lines, bytes, cli, measure, sink } = ctx;
  const once = (name, env, count, network, input = { data, lines, bytes }) => ({
    name, lines: input.lines, bytes: input.bytes,
    run: async () => {
      const st = tempState();
      sink.setNetwork(network);
      try {
        const r = await measure([cli, '--once', input.data], {
          AFLO_STATE_DIR: join(st.dir, 'state'), AFLO_JSON_LOGS: 'true', ...env(st.dir),
        });
        return { ...r, ...(await count(st.dir)) };
      } finally {
        sink.setNetwork();
      }
    },
  });
  const api = (batch) => () => ({ AFLO_BACKEND_TYPE: 'api', AFLO_API_ENDPOINT: sink.url, AFLO_API_KEY: 'bench-key', AFLO_BATCH_SIZE: batch });
  const fromSink = async () => { const t = sink.take(); return { events: t.records, requests: t.requests, limited: t.limited }; };
  // Amberflo is tens of milliseconds away and rate-limits: a sink that answers after BENCH_DELAY_MS (50), and one that
  // refuses (429, Retry-After: 1) above BENCH_RATE requests per second (100).
  const delay = Number(process.env.BENCH_DELAY_MS ?? 50);
  const rate = Number(process.env.BENCH_RATE ?? 100);
  const accepted = async (dir) => ({ events: await producedEvents(measure, cli, join(dir, 'state')) });
  return [
    once('once-api-100', api('100'), fromSink),
    once('once-api-1000', api('1000'), fromSink),
    once('once-api-delay-100', api('100'), fromSink, { delay }),
    once('once-api-delay-1000', api('1000'), fromSink, { delay }),
    // Events stay buffered until accepted, so a round trip bounds throughput at the buffer's size per round trip:
    // the same with four times the default buffer (README, Troubleshooting).
    once('once-api-delay-1000-buffer-40k', () => ({ ...api('1000')(), AFLO_MAX_BUFFER_SIZE: '40000' }), fromSink, { delay }),
    // Its own smaller file (run.mjs), without the bare loop: what it measures is requests/s against the limit.
    { ...once('once-api-ratelimit', api('100'), fromSink, { delay, rate }, ctx.ratelimit), bare: false,
      extra: (runs) => ({ 'accepted requests/s': Math.round(runs[runs.length >> 1].requests / runs[runs.length >> 1].wall), 'limit /s': rate,
        '429 share': `${(100 * runs[runs.length >> 1].limited / (runs[runs.length >> 1].requests + runs[runs.length >> 1].limited)).toFixed(1)} %`,
        'events delivered': runs.map((r) => r.events).join(' ') }) },
    {
      name: 'map',
      lines, bytes,
      run: async () => {
        const r = await measure([cli, 'map', data]);
        return { ...r, events: eventsFrom(r.stderr) };
      },
    },
    { ...once('once-file', (dir) => fileEnv(dir, 'true'), async (dir) => ({ ...(await accepted(dir)), ...ledgerSize(join(dir, 'state')) })),
      extra: (runs) => ledgerColumns(runs[runs.length >> 1]) },
    // The same without flushing each batch to disk, as peers' file outputs write (Vector, Fluent Bit, Filebeat).
    once('once-file-nofsync', (dir) => fileEnv(dir, 'false'), accepted),
    ...followScenarios(ctx),
  ];
}

const fileEnv = (dir, fsync) => ({
  AFLO_BACKEND_TYPE: 'file', AFLO_OUTPUT_DIR: join(dir, 'out'), AFLO_OUTPUT_FSYNC: fsync, AFLO_BATCH_SIZE: process.env.BENCH_BATCH_SIZE ?? '1000',
});

/**
 * The ledger's size after a run: its hourly rows, keys and hours, and their pages (SQLite's dbstat). At the defaults
 * (400 days, the last 14 by the hour, older ones as days, each holding about the keys an hour holds) it holds
 * rows per hour × (14 × 24 + 386) rows.
 */
function ledgerSize(stateDir) {
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(join(stateDir, 'state.db'), { readonly: true });
  const pages = (table) => db.prepare('SELECT sum(pgsize) AS b FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = ?)').get(table).b;
  try {
    const { rows, hours } = db.prepare('SELECT count(*) AS rows, count(DISTINCT hour_ms) AS hours FROM ledger').get();
    const { keys } = db.prepare('SELECT count(*) AS keys FROM ledger_keys').get();
    return { ledgerRows: rows, ledgerHours: hours, ledgerKeys: keys, ledgerBytes: pages('ledger'), ledgerKeyBytes: pages('ledger_keys') };
  } finally {
    db.close();
  }
}

function ledgerColumns(r) {
  const perHour = r.ledgerRows / Math.max(1, r.ledgerHours);
  const rowBytes = r.ledgerBytes / Math.max(1, r.ledgerRows);
  return {
    'ledger rows/hour': Math.round(perHour), 'ledger B/row': rowBytes.toFixed(0), 'ledger keys KB': (r.ledgerKeyBytes / 1024).toFixed(0),
    'ledger MB at 400 days': ((rowBytes * perHour * (14 * 24 + 386) + r.ledgerKeyBytes) / 1e6).toFixed(1),
  };
}

async function producedEvents(measure, cli, stateDir) {
  const r = await measure([cli, 'status', '--json', '--state-dir', stateDir], {}, { stdout: 'pipe', capture: true });
  return r.stdoutJson?.events?.accepted ?? 0;
}

/**
 * A run's state and output directory. They are all removed when the benchmark ends, not after each run: on a file
 * system without a journal (ext4 as on this project's machine), files made within seconds of thousands being
 * deleted take a scan past every recently freed inode, which charged the next measured run for this harness's
 * clean-up (up to 0.3 CPU s per 200,000 lines of the `file` backend).
 */
const made = [];
process.on('exit', () => { for (const dir of made) rmSync(dir, { recursive: true, force: true }); });
export function tempState() {
  const dir = mkdtempSync(join(tmpdir(), 'aflo-bench-state-'));
  made.push(dir);
  return { dir };
}
