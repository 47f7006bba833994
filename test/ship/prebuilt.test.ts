// Bodies made ahead by a decode thread change nothing: whatever the guesses about where batches start and which
// records wait before a piece, partial admission, early cuts, refused records and repeated metadata, the batches
// stored are byte for byte those built inline; and when the guess is right (one file, the carry predictor), every
// batch uses them, those spanning two pieces too.
import fc from 'fast-check';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { emptyCounts } from '../../src/entries/counts.js';
import { CarryPredictor } from '../../src/pipeline/batch-carry.js';
import { Batching } from '../../src/ship/batching.js';
import { batchBody } from '../../src/ship/batch-body.js';
import { prebuild, prebuiltBatches, prebuiltFor } from '../../src/ship/prebuilt.js';
import { slabFrom, slabRange, type Slab } from '../../src/state/slab.js';
import { Store } from '../../src/state/store.js';
import { tempDir } from '../helpers.js';

const META = '{"meterApiName":"aflo.object_metadata","objectId":"k1","name":"key one"}';
const record = (i: number, kind: number) => Buffer.from(kind === 1 ? META : JSON.stringify({
  uniqueId: `u${i}`, meterApiName: 'llm_requests', meterTimeInMillis: 1_700_000_000_000 + i * 60_000, dimensions: { model: 'm' },
}).replace('"dimensions"', kind === 2 ? '"meterValue":NaN,"dimensions"' : '"meterValue":1,"dimensions"'));

const piece = fc.record({
  kinds: fc.array(fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) }), { maxLength: 30 }),
  /** Records admitted (the rest waits for room), as a share. */
  admitted: fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }),
  /** A guess that is off by this much (0: the predictor's). */
  off: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }) }),
  /** The records said to wait before the piece are others, as many. */
  otherWaiting: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  early: fc.boolean(),
});

function open(dir: string, size: number) {
  const store = Store.open(join(dir, 'state'), () => 0);
  const batching = new Batching(store, { batchSize: size, flushIntervalMs: 1_000, maxBufferSize: 1e9, prefix: 'p', now: () => 0 });
  return { store, batching };
}

function stored(store: Store): unknown[] {
  return store.pendingBatches(1e6).map((b) => [b.key, Buffer.from(b.body).toString('base64'), b.event_count]);
}

it('stores the same batches as inline building, whatever the guesses', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(piece, { maxLength: 12 }), (size, pieces) => {
    const dir = tempDir();
    const a = open(join(dir.path, 'a'), size);
    const b = open(join(dir.path, 'b'), size);
    const carry = new CarryPredictor(size);
    let n = 0;
    try {
      pieces.forEach((p, id) => {
        const slab = slabFrom(p.kinds.map((k) => record(n++, k)));
        carry.sync(a.store.batchCarry);
        const waiting = carry.waiting && p.otherWaiting ? slabFrom(carry.waiting.ends.map((_, i) => record(1000 + i, 0))) : carry.waiting;
        const raw = prebuild(slab, size, carry.next + p.off, waiting);
        carry.decoded(id, slab);
        const withBuilt: Slab = raw ? { ...slab, built: prebuiltBatches(raw, slab.data, id) } : slab;
        const take = Math.round(p.admitted * slab.ends.length);
        for (const [s, x] of [[a.store, take === slab.ends.length ? withBuilt : slabRange(withBuilt, 0, take)], [b.store, slabRange(slab, 0, take)]] as const) {
          s.commitPiece({ scope: 't', records: x, dropped: 0, counts: emptyCounts() });
          if (p.early) s.cutBatch(size, (parts) => (s === a.store ? a : b).batching.build(parts));
        }
      });
      expect(stored(a.store)).toEqual(stored(b.store));
      expect(a.store.deadLetters().length).toBe(b.store.deadLetters().length);
      expect(b.batching.prebuiltUsed).toBe(0);
    } finally {
      a.store.close();
      b.store.close();
      dir.remove();
    }
  }), { numRuns: 150 });
});

it('uses the bodies made ahead for every batch when the carry is predicted (one file)', () => {
  const dir = tempDir();
  const { store, batching } = open(dir.path, 10);
  const carry = new CarryPredictor(10);
  let n = 0;
  try {
    // Pieces decoded two ahead of their commit, as the thread does: the predictor counts the pieces in between.
    const slabs = [37, 41, 5, 60, 23].map((len) => slabFrom(Array.from({ length: len }, () => record(n++, 0))));
    const built: Slab[] = [];
    const decodeNext = () => {
      const id = built.length;
      const slab = slabs[id];
      carry.sync(store.batchCarry);
      const raw = prebuild(slab, 10, carry.next, carry.waiting);
      carry.decoded(id, slab);
      built.push(raw ? { ...slab, built: prebuiltBatches(raw, slab.data, id) } : slab);
    };
    decodeNext();
    decodeNext();
    for (let i = 0; i < slabs.length; i++) {
      if (built.length < slabs.length) decodeNext();
      store.commitPiece({ scope: 't', records: built[i], dropped: 0, counts: emptyCounts() });
    }
    // 166 records: 16 batches, 4 of them spanning two pieces (the records left waiting are the last of the piece
    // before each time: 7, 8, 3, 3).
    expect(store.pendingBatches(100)).toHaveLength(16);
    expect(batching.prebuiltUsed).toBe(16);
  } finally {
    store.close();
    dir.remove();
  }
});

it('matches a prebuilt body only to the same bytes: another slab, a copy or a shifted range gets none', () => {
  const slab = slabFrom(Array.from({ length: 6 }, (_, i) => record(i, 0)));
  const built = prebuiltBatches(prebuild(slab, 3, 0)!, slab.data, 0);
  const withBuilt = { ...slab, built };
  expect(prebuiltFor([slabRange(withBuilt, 0, 3)])).toBeDefined();
  expect(prebuiltFor([slabRange(withBuilt, 3, 6)])).toBeDefined();
  expect(prebuiltFor([slabRange(withBuilt, 1, 4)])).toBeUndefined();
  expect(prebuiltFor([slabRange(withBuilt, 0, 2)])).toBeUndefined();
  expect(prebuiltFor([{ ...slabRange(withBuilt, 0, 3), data: Buffer.from(slabRange(withBuilt, 0, 3).data) }])).toBeUndefined();
  expect(prebuiltFor([slabRange(slab, 0, 3)])).toBeUndefined();
});

it('matches a spanning body only to the same waiting bytes and the piece\'s own first records', () => {
  const waiting = slabFrom([record(100, 0), record(101, 0)]);
  const slab = slabFrom(Array.from({ length: 4 }, (_, i) => record(i, 0)));
  const withBuilt = { ...slab, built: prebuiltBatches(prebuild(slab, 3, 2, waiting)!, slab.data, 0) };
  const copy = (s: typeof waiting) => ({ data: Buffer.from(s.data), ends: s.ends });
  expect(prebuiltFor([copy(waiting), slabRange(withBuilt, 0, 1)])).toEqual(batchBody([waiting, slabRange(slab, 0, 1)]));
  expect(prebuiltFor([slabFrom([record(100, 0), record(102, 0)]), slabRange(withBuilt, 0, 1)])).toBeUndefined();
  expect(prebuiltFor([slabRange(waiting, 1, 2), slabRange(withBuilt, 0, 2)])).toBeUndefined();
  expect(prebuiltFor([copy(waiting), { ...slabRange(slab, 0, 1), built: withBuilt.built, data: Buffer.from(slabRange(slab, 0, 1).data) }])).toBeUndefined();
  expect(prebuiltFor([copy(waiting), slabRange(withBuilt, 0, 1), slabRange(withBuilt, 1, 2)])).toBeUndefined();
});
