// `npm run bench`: each scenario beside the bare read+parse loop in the same run (alternating rounds, medians), one table.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from './gen.mjs';
import { scenarios } from './scenarios.mjs';
import { startSink } from './sink.mjs';

const here = import.meta.dirname;
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const only = process.argv.slice(2);
const dataDir = join(here, 'data');
mkdirSync(dataDir, { recursive: true });
const data = join(dataDir, `litellm-${LINES}.jsonl`);
await generate(data, LINES);
const bytes = statSync(data).size;
// Scenario e follows a file of about 2 GB (made once, like the main data file).
const STALL_LINES = Math.ceil(2e9 / (bytes / LINES));
const stallData = join(dataDir, `litellm-${STALL_LINES}.jsonl`);
if (only.length === 0 || only.some((o) => o.startsWith('stalled'))) await generate(stallData, STALL_LINES);
// The rate-limited scenario is bound by the limit (N requests of 100 events a second), not by the machine: it reads
// its own, smaller file (BENCH_RATELIMIT_LINES, 50,000) so that a full run stays minutes long.
const RATELIMIT_LINES = Math.min(LINES, Number(process.env.BENCH_RATELIMIT_LINES ?? 50_000));
const ratelimitData = join(dataDir, `litellm-${RATELIMIT_LINES}.jsonl`);
if (only.length === 0 || only.includes('once-api-ratelimit')) await generate(ratelimitData, RATELIMIT_LINES);

/** Runs a node script in a child with the usage reporter preloaded; returns wall seconds, CPU seconds, peak RSS, stderr. */
export function measure(args, env = {}, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'aflo-bench-'));
  const usageFile = join(dir, 'usage.json');
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', join(here, 'usage-report.cjs'), ...args], {
      env: { ...process.env, ...env, AFLO_BENCH_USAGE: usageFile, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', opts.stdout ?? 'ignore', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout?.on('data', (d) => { stdout += d; });
    opts.onStart?.(child);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      let usage = { cpu: NaN, maxRssMB: NaN };
      try { usage = JSON.parse(readFileSync(usageFile, 'utf8')); } catch { /* killed */ }
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0 && !opts.allowFail) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      let stdoutJson;
      if (opts.capture) { try { stdoutJson = JSON.parse(stdout); } catch { /* not JSON */ } }
      else resolve({ wall, ...usage, stderr });
      if (opts.capture) resolve({ wall, ...usage, stderr, stdoutJson });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bare = () => measure([join(here, 'bare.mjs'), data]);
const rows = [];
const sink = await startSink();
const ctx = { data, stallData, ratelimit: { data: ratelimitData, lines: RATELIMIT_LINES, bytes: statSync(ratelimitData, { throwIfNoEntry: false })?.size ?? 0 },
  lines: LINES, bytes, cli: process.env.BENCH_CLI ?? join(here, '../dist/cli.js'), measure, sink };
for (const s of scenarios(ctx)) {
  if (only.length && !only.includes(s.name)) continue;
  const base = [];
  const mine = [];
  for (let r = 0; r < (s.rounds ?? ROUNDS); r++) {
    if (s.bare !== false) base.push(await bare());
    mine.push(await s.run());
  }
  const bw = base.length ? median(base.map((b) => b.wall)) : NaN;
  const w = median(mine.map((m) => m.wall));
  // Each round's pair ran back to back: the median of their ratios cancels the host's drift between rounds.
  const ratios = base.length ? mine.map((m, i) => base[i].wall / m.wall) : [];
  const pick = (k) => median(mine.map((m) => m[k]));
  rows.push({
    scenario: s.name,
    'lines/s': s.throughput === false ? '' : Math.round(s.lines / w).toLocaleString('en'),
    'MB/s': s.throughput === false ? '' : (s.bytes / w / 1e6).toFixed(1),
    'events/s': s.throughput !== false && pick('events') ? Math.round(pick('events') / w).toLocaleString('en') : '',
    'ratio to bare': s.throughput === false || ratios.length === 0 ? '' : median(ratios).toFixed(2),
    'round ratios': s.throughput === false ? '' : ratios.map((r) => r.toFixed(2)).join(' '),
    'bare lines/s': base.length ? Math.round(LINES / bw).toLocaleString('en') : '',
    'CPU s': pick('cpu').toFixed(2),
    'CPU µs/line': s.throughput === false ? '' : ((pick('cpu') / s.lines) * 1e6).toFixed(1),
    'peak RSS MB': pick('maxRssMB').toFixed(0),
    ...(s.throughput !== false && pick('requests') ? { 'requests/s': Math.round(pick('requests') / w).toLocaleString('en') } : {}),
    ...(s.extra ? s.extra(mine) : {}),
  });
  console.error(`done: ${s.name}`);
}
await sink.close();
const { cpus, totalmem } = await import('node:os');
console.log(`\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
console.log(`${LINES.toLocaleString('en')} lines, ${(bytes / 1e6).toFixed(0)} MB (${(bytes / LINES).toFixed(0)} B/line), ${ROUNDS} rounds, medians\n`);
console.table(rows);
