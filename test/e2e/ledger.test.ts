// The ledger as a billing team uses it: `report` of what was read and shipped, `audit` against a fake Amberflo whose
// usage answers come from what its ingest endpoint accepted, and `audit --logs` against the log files themselves.
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { SCHEMA_V1, SCHEMA_V2, SCHEMA_V3 } from '../../src/state/sql.js';
import { FakeControl } from '../fakes/control-server.js';
import { useFakeIngest } from '../fakes/ingest-server.js';
import { run } from './cli.js';
import { fastEnv, useWorkspace } from './harness.js';

const KEY = 'ledger-key-8c1f0b';
const dir = useWorkspace();
const ingest = useFakeIngest(KEY);
let control: FakeControl;
beforeEach(async () => {
  control = new FakeControl(KEY);
  control.usageRecords = () => ingest.server.records();
  await control.start();
});
afterEach(() => control.stop());

/** 2025-12-17T00:00:00Z: entries `i` start i × 20 minutes after it (three an hour). */
const DAY = Date.UTC(2025, 11, 17) / 1000;
const entries = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => slpLine(`${prefix}-${i}`, { startTime: DAY + i * 1200, endTime: DAY + i * 1200 + 2 })).join('\n') + '\n';
const env = () => fastEnv(dir.state, dir.out, {
  AFLO_BACKEND_TYPE: 'api', AFLO_API_ENDPOINT: ingest.server.url, AFLO_API_KEY: KEY, AFLO_CONTROL_ENDPOINT: control.url,
});
const RANGE = ['--start', '2025-12-17T00:00:00Z', '--end', '2025-12-18T00:00:00Z'];
const cli = (args: string[]) => run(args, env());
const json = (stdout: string) => JSON.parse(stdout) as Record<string, string | number>[];

async function shipped(n = 12): Promise<string> {
  const log = join(dir.logs, 'a.jsonl');
  writeFileSync(log, entries('a', n));
  expect((await cli(['--once', log])).code).toBe(0);
  return log;
}

describe('report', () => {
  it('totals per meter and day, or per hour and model, as JSON, CSV or a table', async () => {
    await shipped();
    const days = await cli(['report', ...RANGE, '--format', 'json']);
    expect(days.code).toBe(0);
    const byMeter = Object.fromEntries(json(days.stdout).map((r) => [r.meter, r]));
    expect(byMeter.llm_requests).toMatchObject({ period: '2025-12-17', read: 12, shipped: 12, dead_lettered: 0, not_shipped: 0, events_read: 12 });
    // Each entry: 10 tokens in, 20 out.
    expect(byMeter.llm_text_tokens).toMatchObject({ read: 360, shipped: 360, events_shipped: 24 });
    const hours = json((await cli(['report', ...RANGE, '--interval', 'hour', '--group-by', 'meter,model', '--format', 'json'])).stdout);
    expect(hours.filter((r) => r.meter === 'llm_requests')).toEqual(Array.from({ length: 4 }, (_, h) =>
      expect.objectContaining({ period: `2025-12-17T0${h}:00Z`, model: 'gpt-4o', read: 3, shipped: 3 })));
    const csv = (await cli(['report', ...RANGE, '--group-by', 'meter', '--group-by', 'type', '--format', 'csv'])).stdout.split('\n');
    expect(csv[0]).toBe('period,meter,type,read,shipped,dead_lettered,not_shipped,events_read,events_shipped,events_dead_lettered');
    expect(csv).toContain('2025-12-17,llm_text_tokens,in,120,120,0,0,12,12,0');
    const table = (await cli(['report', ...RANGE, '--format', 'table'])).stdout;
    expect(table).toMatch(/^period\s+meter\s+read\s+shipped/);
    expect(table).toMatch(/2025-12-17\s+llm_requests\s+12\s+12/);
  });

  it('says when there is no state, and refuses a bad range or group (exit 2, naming the option)', async () => {
    const none = await cli(['report']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no state in/);
    await shipped(1);
    for (const [args, message] of [[['--group-by', 'colour'], /--group-by: unknown group colour/], [['--start', 'soon'], /--start: not a time/],
      [['--start', '2025-12-18', '--end', '2025-12-17'], /--start must be before --end/], [['--interval', 'week'], /interval/]] as const) {
      const r = await cli(['report', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('a state an older version wrote', () => {
  it('status and report say to upgrade it by starting the daemon (exit 1), without a stack trace', async () => {
    mkdirSync(dir.state, { recursive: true });
    const old = new Database(join(dir.state, 'state.db'));
    for (const schema of [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3]) old.exec(schema);
    old.pragma('user_version = 3');
    old.close();
    for (const args of [['status'], ['report']]) {
      const r = await cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/written by an older aflo-tail \(schema 3, this one reads \d+\): restart the daemon/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('hours kept as days', () => {
  it('an hourly range over them is shown by the day, or refused when --interval hour is asked for (exit 2)', async () => {
    const log = await shipped();
    // The next start sums hours older than AFLO_LEDGER_HOURLY_DAYS into days (these are a year old).
    expect((await run(['--once', log], { ...env(), AFLO_LEDGER_HOURLY_DAYS: '1' })).code).toBe(0);
    const asked = await cli(['report', ...RANGE, '--interval', 'hour']);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toMatch(/--interval hour: hours before .* are kept as days \(AFLO_LEDGER_HOURLY_DAYS\)/);
    const audit = await cli(['audit', ...RANGE, '--format', 'json']);
    expect(audit.code).toBe(0);
    expect(audit.stderr).toMatch(/kept as days .*: shown by the day/);
    expect(json(audit.stdout)).toContainEqual(expect.objectContaining({ period: '2025-12-17', meter: 'llm_requests', shipped: 12, amberflo: 12 }));
    expect(control.seen.filter((x) => x.path === '/usage').at(-1)?.body).toMatchObject({ timeGroupingInterval: 'DAY' });
  });
});

describe('audit against Amberflo', () => {
  it('agrees after a clean run, hour by hour and per model', async () => {
    await shipped();
    const r = await cli(['audit', ...RANGE, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/all \d+ buckets agree/);
    const rows = json(r.stdout);
    expect(rows.filter((x) => x.meter === 'llm_requests').map((x) => [x.period, x.shipped, x.amberflo, x.status])).toEqual(
      [0, 1, 2, 3].map((h) => [`2025-12-17T0${h}:00Z`, 3, 3, 'ok']));
    const byModel = await cli(['audit', ...RANGE, '--group-by', 'model', '--interval', 'day', '--format', 'json']);
    expect(byModel.code).toBe(0);
    expect(json(byModel.stdout)).toContainEqual(expect.objectContaining({ meter: 'llm_requests', model: 'gpt-4o', shipped: 12, amberflo: 12 }));
    // One usage query per meter, for the whole range, hourly, with Amberflo's names for the groups.
    expect(control.seen.filter((s) => s.path === '/usage').at(-1)?.body).toMatchObject({ timeGroupingInterval: 'DAY', groupBy: ['model'] });
  });

  it('finds events Amberflo lost and a duplicate with another time, in their buckets', async () => {
    await shipped();
    const lost = [...ingest.server.accepted.keys()].find((k) => JSON.parse(k).uniqueId === 'a-4' && JSON.parse(k).meterApiName === 'llm_requests')!;
    ingest.server.accepted.delete(lost);
    const r = await cli(['audit', ...RANGE, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 of \d+ buckets differ/);
    expect(json(r.stdout).filter((x) => x.status !== 'ok')).toEqual([
      expect.objectContaining({ period: '2025-12-17T01:00Z', meter: 'llm_requests', shipped: 3, amberflo: 2, difference: -1, status: 'differs' })]);
    ingest.server.accepted.set(lost, 1);
    // The same event again, its time moved by three hours: Amberflo keeps both (they are not identical records).
    const tokens = [...ingest.server.accepted.keys()].map((k) => JSON.parse(k)).find((x) => x.uniqueId === 'a-0' && x.meterApiName === 'llm_text_tokens')!;
    ingest.server.accepted.set(JSON.stringify({ ...tokens, meterTimeInMillis: tokens.meterTimeInMillis + 3 * 3_600_000 }), 1);
    const dup = await cli(['audit', ...RANGE, '--format', 'table']);
    expect(dup.code).toBe(1);
    expect(dup.stdout).toMatch(new RegExp(`2025-12-17T03:00Z\\s+llm_text_tokens\\s+90\\s+${90 + tokens.meterValue}\\s+${tokens.meterValue}\\s+0\\s+differs`));
  });

  it('reports recent buckets that differ as settling, not failed', async () => {
    const log = join(dir.logs, 'now.jsonl');
    const now = Date.now() / 1000;
    writeFileSync(log, slpLine('now-1', { startTime: now - 5, endTime: now - 4 }) + '\n');
    expect((await cli(['--once', log])).code).toBe(0);
    ingest.server.accepted.clear();
    const r = await cli(['audit', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/still settling/);
    expect(json(r.stdout).every((x) => x.status === 'settling')).toBe(true);
    const strict = await cli(['audit', '--settle', '0', '--format', 'json']);
    expect(strict.code).toBe(1);
    expect((await cli(['audit', '--settle', 'soon'])).code).toBe(2);
  });

  it('needs the API key and says so (exit 2); an unreachable Amberflo is exit 1 without the key in the message', async () => {
    await shipped(1);
    const noKey = await run(['audit', ...RANGE], { ...env(), AFLO_API_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/AFLO_API_KEY/);
    const down = await run(['audit', ...RANGE], { ...env(), AFLO_CONTROL_ENDPOINT: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach/);
    expect(down.stderr).not.toContain(KEY);
  });
});

describe('audit --logs', () => {
  it('finds a log file the daemon never followed, and agrees on the ones it did', async () => {
    const log = await shipped();
    writeFileSync(join(dir.logs, 'b.jsonl'), entries('b', 3));
    const same = await cli(['audit', ...RANGE, '--logs', log, '--format', 'json']);
    expect(same.code).toBe(0);
    const missed = await cli(['audit', ...RANGE, '--logs', join(dir.logs, '*.jsonl'), '--format', 'json']);
    expect(missed.code).toBe(1);
    expect(missed.stderr).toMatch(/2 files read again/);
    expect(json(missed.stdout).filter((x) => x.meter === 'llm_requests' && x.status === 'differs')).toEqual([
      expect.objectContaining({ period: '2025-12-17T00:00Z', read: 3, in_logs: 6, difference: 3 })]);
  });

  it('reads rotated files compressed with gzip, and names a file it cannot read (exit 1)', async () => {
    await shipped();
    const text = entries('a', 12);
    const cut = text.indexOf('\n', text.length >> 1) + 1;
    writeFileSync(join(dir.logs, 'rotated.log.1.gz'), gzipSync(text.slice(0, cut)));
    writeFileSync(join(dir.logs, 'rotated.log'), text.slice(cut));
    const r = await cli(['audit', ...RANGE, '--logs', join(dir.logs, 'rotated.log*'), '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/2 files read again/);
    const gone = await cli(['audit', ...RANGE, '--logs', join(dir.logs, 'a.jsonl'), join(dir.logs, 'missing.log')]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/cannot read .*missing\.log \(ENOENT\)/);
  });
});
