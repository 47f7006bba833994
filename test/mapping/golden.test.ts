// Golden tests: every LiteLLM fixture and the seed example map exactly to the hand-written expected events.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapEntry } from '../../src/mapping/map-entry.js';
import { MAPPING, readAll } from '../helpers.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/litellm');
const GOLDEN = join(import.meta.dirname, '../golden');
const FALLBACK = 1700000000000;

function mapFile(path: string): string[] {
  const found = readAll([readFileSync(path)], { force: true });
  expect(found.skips).toEqual([]);
  return found.entries.flatMap((e) =>
    mapEntry(e.slp, MAPPING, { sourceId: path, start: e.start, index: e.index, fallbackTimeMs: FALLBACK }).events,
  ).map((ev) => JSON.stringify(ev).replace(/"uniqueId":"aflo-[0-9a-f]{32}"/, '"uniqueId":"FALLBACK_ID"'));
}

function expected(name: string): string[] {
  return readFileSync(join(GOLDEN, `${name}.expected.ndjson`), 'utf8').split('\n').filter(Boolean);
}

describe('golden mapping', () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => /^(0\d|1[01])_.*\.json$/.test(f));
  it('covers fixtures 01–11', () => expect(fixtures).toHaveLength(11));
  for (const f of fixtures) {
    it(`maps ${f}`, () => {
      expect(mapFile(join(FIXTURES, f)).sort()).toEqual(expected(f.slice(0, 2)).sort());
    });
  }
  it('maps the seed example to its three events (plus requests and seconds)', () => {
    const got = mapFile(join(GOLDEN, 'seed-example.json'));
    expect(got.sort()).toEqual(expected('seed').sort());
    const seedEvents = got.map((l) => JSON.parse(l)).filter((e) => e.meterApiName.endsWith('_tokens'));
    expect(seedEvents).toHaveLength(3);
  });
  it('the schema file (12) is not usage', () => {
    const found = readAll([readFileSync(join(FIXTURES, '12_standard_logging_payload_json_schema.json'))], { force: true });
    expect(found.entries).toHaveLength(0);
    expect(found.skips.map((s) => s.reason)).toEqual(['not_usage']);
  });
  it('an entry without an id gets a stable id from its source and offset', () => {
    const path = join(FIXTURES, '10_minimal_kwargs_cache_read_and_cache_write_tokens_datadog_test.json');
    const e = readAll([readFileSync(path)], { force: true }).entries[0];
    const a = mapEntry(e.slp, MAPPING, { sourceId: 'x', start: 0, index: 0, fallbackTimeMs: 1 }).events[0].uniqueId;
    const b = mapEntry(e.slp, MAPPING, { sourceId: 'x', start: 0, index: 0, fallbackTimeMs: 2 }).events[0].uniqueId;
    const c = mapEntry(e.slp, MAPPING, { sourceId: 'x', start: 10, index: 0, fallbackTimeMs: 1 }).events[0].uniqueId;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});
