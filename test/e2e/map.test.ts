// `aflo-tail map` as a user runs it: events on stdout only, the summary on stderr, exit codes.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/litellm');

describe('aflo-tail map', () => {
  it('--mapping callback (AFLO_MAPPING) prints what Amberflo\'s callback sends for a captured payload', async () => {
    const dir = join(import.meta.dirname, '../fixtures/callback');
    const r = await run(['map', '--mapping', 'callback', '--hosted-env', 'agent1', join(dir, 'openai-team-key-b.completion.slo.json')],
      { AFLO_SEND_OBJECT_METADATA: 'true' });
    expect(r.code).toBe(0);
    const canonical = (es: object[]) => es.map((e) => JSON.stringify(e, Object.keys(e).concat(...es.map((x) => Object.keys((x as { dimensions: object }).dimensions))).sort())).sort();
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as object);
    const want = JSON.parse(readFileSync(join(dir, 'openai-team-key-b.completion.expected.json'), 'utf8')) as object[];
    expect(canonical(got)).toEqual(canonical(want));
  });

  it('maps every fixture file given as paths, printing only events on stdout', async () => {
    const files = readdirSync(FIXTURES).filter((f) => /^(0\d|1[01])_/.test(f)).map((f) => join(FIXTURES, f));
    const r = await run(['map', ...files]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(lines).toHaveLength(45);
    expect(r.stderr).toMatch(/read=11 mapped=11 not_usage=0 invalid=0 too_long=0 events=45/);
  });

  it('reads stdin for "-" and with no path, and counts bad entries', async () => {
    const input = `${slpLine('a')}\nnot json\n{"id":"b","call_ty\n${slpLine('c')}\n`;
    for (const args of [['map', '-'], ['map']]) {
      const r = await run(args, {}, input);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/read=4 mapped=2 not_usage=1 invalid=1 too_long=0/);
    }
  });

  it('applies AFLO_HOSTED_ENV, AFLO_CUSTOMER_ID and AFLO_REGION_MAP', async () => {
    const input = slpLine('a', { api_base: 'https://llm.internal.example:8443/v1' }) + '\n';
    const r = await run(['map', '--hosted-env', 'staging'], { AFLO_CUSTOMER_ID: 'cust-1', AFLO_REGION_MAP: 'llm.internal.example=eu-west-1' }, input);
    const e = JSON.parse(r.stdout.split('\n')[0]);
    expect(e.customerId).toBe('cust-1');
    expect(e.dimensions).toMatchObject({ hostedEnv: 'staging', region: 'eu-west-1' });
  });

  it('writes the same bytes with the native mapper and with AFLO_NATIVE_MAPPER=false', async () => {
    // 09–11 have no time: they are stamped with the time they are read, which differs between two runs.
    const files = readdirSync(FIXTURES).filter((f) => /^0[1-8]_/.test(f)).map((f) => join(FIXTURES, f));
    const plain = Array.from({ length: 50 }, (_, i) => slpLine(`p-${i}`, { api_base: 'https://bedrock-runtime.eu-west-1.amazonaws.com', cache_hit: i % 2 === 0 })).join('\n') + '\n';
    const native = await run(['map', '-', ...files], {}, plain);
    const js = await run(['map', '-', ...files], { AFLO_NATIVE_MAPPER: 'false' }, plain);
    expect(native.code).toBe(0);
    expect(native.stdout.split('\n').length).toBeGreaterThan(200);
    expect(js.stdout).toBe(native.stdout);
    expect(js.stderr).toBe(native.stderr);
  });

  it('exits 2 naming the path when a path cannot be read', async () => {
    const r = await run(['map', '/nonexistent/file.jsonl']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/file.jsonl');
    expect(r.stdout).toBe('');
  });

  it('exits 2 naming the setting for a bad setting', async () => {
    const r = await run(['map', '-'], { AFLO_MAX_LINE_BYTES: '0' }, '');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AFLO_MAX_LINE_BYTES');
    const bad = await run(['map', '-'], { AFLO_REGION_MAP: 'nonsense' }, '');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('AFLO_REGION_MAP');
  });

  it('gives the same bytes for the same input', async () => {
    const input = readFileSync(join(FIXTURES, '03_callback_kwargs_wrapper_bedrock_otel_captured_kwargs.json'));
    const [a, b] = await Promise.all([run(['map'], {}, input), run(['map'], {}, input)]);
    expect(a.stdout).toBe(b.stdout);
  });
});
