// The ledger key read from a record's bytes is the one its parsed JSON gives, for any dimension values (escapes,
// quotes, non-ASCII), any number, with or without a customer; what is not usage has none.
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEDGER_DIMENSIONS, ledgerEntry, SEP } from '../../src/ledger/ledger-key.js';
import { KeyIndex, Summer, tagRecords, type Tally } from '../../src/ledger/totals.js';
import { joinSlabs, slabFrom, slabRange, slabRecords } from '../../src/state/slab.js';
import { runMap } from '../../src/commands/map.js';
import { MAPPING } from '../helpers.js';
import { Writable } from 'node:stream';

type Rec = { uniqueId?: string; customerId?: string; meterApiName: string; meterValue: number; meterTimeInMillis: number; dimensions: Record<string, string> };

/** The key as the ledger defines it, from the object itself. */
function expected(r: Rec): { key: string; value: number } {
  const hour = Math.floor(r.meterTimeInMillis / 3_600_000) * 3_600_000;
  return { key: [hour, r.meterApiName, ...LEDGER_DIMENSIONS.map((d) => r.dimensions[d] ?? ''), r.customerId ?? ''].join(SEP), value: r.meterValue };
}

const text = fc.oneof(fc.string(), fc.constantFrom('gpt-4o', 'a"b', 'c\\d', 'é€😀', '', 'x,y}', '"model":"z'));
const record = fc.record({
  uniqueId: text, customerId: fc.option(text, { nil: undefined }), meterApiName: fc.constantFrom('llm_text_tokens', 'llm_requests', 'm"q'),
  meterValue: fc.oneof(fc.integer({ min: 0, max: 1e9 }), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constant(1e-7)),
  meterTimeInMillis: fc.integer({ min: 0, max: 4e12 }),
  dimensions: fc.dictionary(fc.oneof(fc.constantFrom(...LEDGER_DIMENSIONS, 'sub_type', 'provider'), fc.string()), text),
});

describe('ledgerEntry', () => {
  it('reads from the bytes what the parsed record says, in our field order', () => {
    fc.assert(fc.property(record, (r) => {
      const { uniqueId, customerId, ...rest } = r;
      const ordered: Rec = { uniqueId, ...(customerId !== undefined ? { customerId } : {}), ...rest };
      expect(ledgerEntry(Buffer.from(JSON.stringify(ordered)))).toEqual(expected(ordered));
    }), { numRuns: 2000 });
  });

  it('and in any other field order (a record posted to /ingest)', () => {
    fc.assert(fc.property(record, (r) => {
      const shuffled = { dimensions: r.dimensions, meterTimeInMillis: r.meterTimeInMillis, meterValue: r.meterValue, meterApiName: r.meterApiName,
        ...(r.customerId !== undefined ? { customerId: r.customerId } : {}), uniqueId: r.uniqueId };
      expect(ledgerEntry(Buffer.from(JSON.stringify(shuffled)))).toEqual(expected(shuffled as Rec));
    }), { numRuns: 500 });
  });

  it('gives no key to what is not usage or cannot be read', () => {
    for (const bad of ['{"meterApiName":"aflo.object_metadata","meterValue":1,"meterTimeInMillis":1,"dimensions":{}}',
      '{"uniqueId":"x","meterApiName":"m","meterValue":NaN,"meterTimeInMillis":1,"dimensions":{}}', 'not json', '{"uniqueId":"x"}']) {
      expect(ledgerEntry(Buffer.from(bad))).toBeUndefined();
    }
  });

  it('every record the fixtures map to has the key its JSON gives', async () => {
    const dir = join(import.meta.dirname, '../fixtures/litellm');
    const chunks: Buffer[] = [];
    const out = new Writable({ write(c, _e, cb) { chunks.push(Buffer.from(c)); cb(); } });
    const inputs = readdirSync(dir).map((f) => ({ name: f, stream: (async function* () { yield readFileSync(join(dir, f)); })() }));
    await runMap(inputs, out, MAPPING, 1 << 25, () => 1_766_000_000_000);
    const records = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '');
    expect(records.length).toBeGreaterThan(50);
    for (const line of records) {
      const r = JSON.parse(line) as Rec;
      expect(ledgerEntry(Buffer.from(line))).toEqual(r.uniqueId === undefined ? undefined : expected(r));
    }
  });
});

describe('tags and totals', () => {
  const index = new KeyIndex();
  const byKey = (t: Tally) => Object.fromEntries([...t.ids].map((id, i) => [index.keys[id], [t.events[i], Number(t.values[i].toPrecision(12))]]));

  it('the native pass gives every record the key JavaScript gives it', () => {
    fc.assert(fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), (rs) => {
      const slab = slabFrom(rs.map((r) => Buffer.from(JSON.stringify(r))));
      const native = tagRecords(slab, true);
      const js = tagRecords(slab, false);
      for (let i = 0; i < rs.length; i++) {
        expect(native.key[i] < 0 ? undefined : native.keys[native.key[i]]).toBe(js.key[i] < 0 ? undefined : js.keys[js.key[i]]);
        if (js.key[i] >= 0) expect(native.value[i]).toBe(js.value[i]);
      }
    }), { numRuns: 1000 });
  });

  it('tags survive ranges and joins, and give the totals the records give', () => {
    fc.assert(fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), fc.nat(), fc.nat(), (rs, a, b) => {
      const slab = slabFrom(rs.map((r) => Buffer.from(JSON.stringify(r))));
      const tagged = { ...slab, tags: tagRecords(slab) };
      const [from, to] = [a % rs.length, b % rs.length].sort((x, y) => x - y);
      const parts = [slabRange(tagged, 0, from), slabRange(tagged, from, to), slabRange(tagged, to, rs.length)];
      const joined = joinSlabs(parts);
      expect(joined.tags).toBeDefined();
      const sums = new Summer(index);
      expect(byKey(sums.addSlab(joined).take())).toEqual(byKey(sums.addRecords(slabRecords(slab)).take()));
      const middle = slabRange(tagged, from, to);
      expect(byKey(sums.addSlab(middle).take())).toEqual(byKey(sums.addRecords(slabRecords(middle)).take()));
      sums.addSlab(middle);
      sums.reset();
      expect(sums.take().ids.length).toBe(0);
    }), { numRuns: 300 });
  });
});
