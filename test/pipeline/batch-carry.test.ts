// The carry a decode thread predicts: the main thread's last word plus the pieces decoded since, modulo the batch size.
import { expect, it } from 'vitest';
import { CarryPredictor } from '../../src/pipeline/batch-carry.js';

it('starts from what waits at start, advances by each piece, and re-bases on the main thread\'s word', () => {
  const c = new CarryPredictor(10);
  c.sync({ piece: -1, carry: 4 });
  expect(c.next).toBe(4);
  c.decoded(0, 13);
  expect(c.next).toBe(7);
  c.decoded(1, 5);
  c.decoded(2, 21);
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
