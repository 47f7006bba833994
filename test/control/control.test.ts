// meters, usage and cancel against a fake Amberflo control plane: methods, paths, headers, bodies, errors.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAPPED_METERS } from '../../src/control/meters.js';
import { run } from '../e2e/cli.js';
import { freePort } from '../e2e/harness.js';
import { FakeControl } from '../fakes/control-server.js';

const KEY = 'ctl-key-5d2e7a';
let server: FakeControl;
beforeEach(async () => { server = new FakeControl(KEY); await server.start(); });
afterEach(async () => { await server.stop(); });

const env = (extra: Record<string, string> = {}) => ({ AFLO_CONTROL_ENDPOINT: server.url, AFLO_API_KEY: KEY, ...extra });
const cli = (args: string[], extra: Record<string, string> = {}, input?: string) => run(args, env(extra), input);
const last = () => server.seen[server.seen.length - 1];

describe('meters', () => {
  it('create, get, list, update, delete: method, path, key and body', async () => {
    const created = await cli(['meters', 'create', '--label', 'Tokens', '--meter-api-name', 'tok', '--meter-type', 'sum_of_all_usage']);
    expect(created.code).toBe(0);
    expect(last()).toMatchObject({ method: 'POST', path: '/meters', key: KEY, contentType: 'application/json', body: { label: 'Tokens', meterApiName: 'tok', meterType: 'sum_of_all_usage' } });
    const id = JSON.parse(created.stdout).id;
    expect((await cli(['meters', 'get', id])).code).toBe(0);
    expect(last()).toMatchObject({ method: 'GET', path: `/meters/${id}` });
    const list = await cli(['meters', 'list', '--format', 'table']);
    expect(list.stdout).toMatch(/meterApiName[\s\S]*tok/);
    expect((await cli(['meters', 'update', id, '--label', 'Tokens 2'])).code).toBe(0);
    expect(last()).toMatchObject({ method: 'PUT', path: '/meters', body: { id, label: 'Tokens 2' } });
    const fromJson = await cli(['meters', 'create', '--json', '-'], {}, JSON.stringify({ label: 'J', meterApiName: 'j', meterType: 'sum_of_all_usage', dimensions: ['a'] }));
    expect(fromJson.code).toBe(0);
    expect(last().body).toMatchObject({ dimensions: ['a'] });
    expect((await cli(['meters', 'delete', id])).code).toBe(0);
    expect(last()).toMatchObject({ method: 'DELETE', path: `/meters/${id}` });
  });

  it('provision creates every mapped meter once; a second run changes nothing', async () => {
    const first = await cli(['meters', 'provision']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).created).toHaveLength(MAPPED_METERS.length);
    expect(server.meters.size).toBe(MAPPED_METERS.length);
    const tokens = [...server.meters.values()].find((m) => m.meterApiName === 'llm_text_tokens');
    expect(tokens).toMatchObject({ meterType: 'sum_of_all_usage' });
    expect(tokens?.dimensions).toEqual(expect.arrayContaining(['business_unit_id', 'model', 'type', 'cache']));
    const posts = server.seen.filter((s) => s.method === 'POST').length;
    const second = await cli(['meters', 'provision']);
    expect(JSON.parse(second.stdout)).toMatchObject({ created: [] });
    expect(server.seen.filter((s) => s.method === 'POST').length).toBe(posts);
    const dry = await cli(['meters', 'provision', '--dry-run'], {});
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).existing).toContain('llm_images');
  });

  it('provision --mapping callback creates the callback profile\'s meters (and AFLO_MAPPING does the same)', async () => {
    const r = await cli(['meters', 'provision', '--mapping', 'callback']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).created.sort()).toEqual(['llm_api_call', 'llm_api_call_ms', 'llm_error_details', 'llm_image_tokens',
      'llm_images', 'llm_text_tokens']);
    const call = [...server.meters.values()].find((m) => m.meterApiName === 'llm_api_call');
    expect(call?.dimensions).toEqual(expect.arrayContaining(['business_unit_id', 'team', 'hosted_env', 'gateway', 'error_code']));
    const again = await cli(['meters', 'provision', '--dry-run'], { AFLO_MAPPING: 'callback' });
    expect(JSON.parse(again.stdout)).toMatchObject({ created: [] });
  });

  it('401 exits 1 naming AFLO_API_KEY, never the key; 404 names what was not found; missing options exit 2', async () => {
    const r = await cli(['meters', 'list'], { AFLO_API_KEY: 'bad-key-99887766' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AFLO_API_KEY');
    expect(r.stderr).not.toContain('bad-key-99887766');
    const nf = await cli(['meters', 'get', 'nope']);
    expect(nf.code).toBe(1);
    expect(nf.stderr).toContain('meter nope');
    expect((await cli(['meters', 'create', '--label', 'x'])).code).toBe(2);
    expect((await run(['meters', 'list'], { AFLO_CONTROL_ENDPOINT: server.url })).code).toBe(2);
  });

  it('network errors are retried a few times, then exit 1 naming the cause', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const r = await run(['meters', 'list'], { AFLO_CONTROL_ENDPOINT: endpoint, AFLO_API_KEY: KEY });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`aflo-tail: cannot reach ${endpoint}/meters (ECONNREFUSED, 4 attempts): nothing listens there: check AFLO_CONTROL_ENDPOINT (--control-endpoint)\n`);
  });
});

describe('answers', () => {
  it('503 and 429 are retried as backend sends are (Retry-After honoured); a 4xx is said with the setting, exit 1', async () => {
    server.faults.push({ status: 503 }, { status: 429, retryAfter: 1 });
    const started = Date.now();
    const ok = await cli(['meters', 'list']);
    expect(ok.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(server.seen).toHaveLength(3);
    server.faults.push({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    const down = await cli(['meters', 'list']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('GET /meters: HTTP 503');
    expect(down.stderr).toContain('(4 attempts)');
    server.faults.push({ status: 405 });
    const wrong = await cli(['meters', 'list']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('check AFLO_CONTROL_ENDPOINT (--control-endpoint)');
  });
});

describe('usage and cancel', () => {
  it('usage posts timeRange in seconds, the last 24 hours by default', async () => {
    const before = Math.floor(Date.now() / 1000);
    expect((await cli(['usage', '--meter-api-name', 'llm_requests', '--group-by', 'model', '--interval', 'hour'])).code).toBe(0);
    const b = last().body as { timeRange: { startTimeInSeconds: number; endTimeInSeconds: number } };
    expect(last()).toMatchObject({ method: 'POST', path: '/usage', body: { meterApiName: 'llm_requests', timeGroupingInterval: 'HOUR', groupBy: ['model'], aggregation: 'SUM' } });
    expect(b.timeRange.endTimeInSeconds - b.timeRange.startTimeInSeconds).toBe(86_400);
    expect(b.timeRange.endTimeInSeconds).toBeGreaterThanOrEqual(before);
    expect((await cli(['usage', '--meter-api-name', 'x', '--start', '2026-01-01T00:00:00Z', '--end', '1767312000'])).code).toBe(0);
    expect(last().body).toMatchObject({ timeRange: { startTimeInSeconds: 1767225600, endTimeInSeconds: 1767312000 } });
    expect((await cli(['usage'])).code).toBe(2);
  });

  it('cancel posts a by_property_filter_out rule', async () => {
    const r = await cli(['cancel', '--rule-id', 'oops-1', '--meter-api-name', 'llm_text_tokens', '--start', '1767225600', '--end', '1767229200',
      '--customer', 'c1', '--dimension', 'model=gpt-4o', '--dimension', 'type=in']);
    expect(r.code).toBe(0);
    expect(last()).toMatchObject({
      method: 'POST', path: '/ingest-snapshot/custom-filtering-rules',
      body: { id: 'oops-1', meterApiName: 'llm_text_tokens', type: 'by_property_filter_out', customerId: 'c1',
        ingestionTimeRange: { startTimeInSeconds: 1767225600, endTimeInSeconds: 1767229200 }, dimensions: { model: ['gpt-4o'], type: ['in'] } },
    });
    const missing = await cli(['cancel', '--rule-id', 'x', '--meter-api-name', 'm']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/start/);
  });
});
