// The carry a decode thread predicts: the main thread's last word plus the pieces decoded since, modulo the batch size.
import { expect, it } from 'vitest';
import { CarryPredictor } from '../../src/pipeline/batch-carry.js';
import { slabFrom, slabRecords } from '../../src/state/slab.js';

const records = (n: number, tag = 'r') => slabFrom(Array.from({ length: n }, (_, i) => Buffer.from(`${tag}${i}`)));

it('starts from what waits at start, advances by each piece, and re-bases on the main thread\'s word', () => {
  const c = new CarryPredictor(10);
  c.sync({ piece: -1, carry: 4 });
  expect(c.next).toBe(4);
  c.decoded(0, records(13));
  expect(c.next).toBe(7);
  c.decoded(1, records(5));
  c.decoded(2, records(21));
  expect(c.next).toBe(3);
  // Piece 0 was committed after an early cut left 2 waiting: pieces 1 and 2 come after it.
  c.sync({ piece: 0, carry: 2 });
  expect(c.next).toBe((2 + 5 + 21) % 10);
  // Repeating the same word changes nothing; a piece it never saw, or "before any" once pieces were seen, is ignored.
  c.sync({ piece: 0, carry: 2 });
  expect(c.next).toBe(8);
  c.sync({ piece: 99, carry: 5 });
  c.sync({ piece: -1, carry: 5 });
  expect(c.next).toBe(8);
  c.sync({ piece: 2, carry: 0 });
  expect(c.next).toBe(0);
});

it('knows the records waiting before the next piece when they are the last of the piece before', () => {
  const c = new CarryPredictor(10);
  c.decoded(0, records(13));
  expect(slabRecords(c.waiting!).map(String)).toEqual(['r10', 'r11', 'r12']);
  // 3 + 5 = 8 waiting, more than the last piece holds: not known.
  c.decoded(1, records(5));
  expect(c.waiting).toBeUndefined();
  c.decoded(2, records(14, 'x'));
  expect(slabRecords(c.waiting!).map(String)).toEqual(['x12', 'x13']);
  // The main thread says otherwise: the count no longer matches.
  c.sync({ piece: 2, carry: 5 });
  expect(c.waiting).toBeUndefined();
  c.decoded(3, records(10, 'y'));
  expect(slabRecords(c.waiting!).map(String)).toEqual(['y5', 'y6', 'y7', 'y8', 'y9']);
  // None wait: nothing to make a spanning batch of.
  c.decoded(4, records(5));
  expect(c.waiting).toBeUndefined();
});
