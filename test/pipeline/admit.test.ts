// What of a decoded piece enters the buffer: everything with room; `block` stops before the first entry that does
// not fit; `drop_newest` drops that entry's events and keeps later ones that fit; counts match what was taken.
import { describe, expect, it } from 'vitest';
import { admit } from '../../src/pipeline/admit.js';
import { decodePiece } from '../../src/pipeline/decode.js';
import { MAPPING, slpLine } from '../helpers.js';

const cfg = { mapping: MAPPING, maxEntryBytes: 1 << 20 };
const big = slpLine('big', { image_count: 2, audio_seconds: 3 });
const lines = [slpLine('a'), 'nope', big, slpLine('c')];
const text = lines.join('\n') + '\n';
const decoded = () => decodePiece({ bytes: Buffer.from(text), state: { lineStart: 0, skipLen: 0, acc: null }, eof: 'no', sourceId: 's', fallbackTimeMs: 0 }, cfg);

describe('admit', () => {
  const d = decoded();
  const perEntry = [d.recordsAfter[0], d.recordsAfter[2] - d.recordsAfter[0], d.recordsAfter[3] - d.recordsAfter[2]];

  it('takes everything when there is room', () => {
    const a = admit(decoded(), 1000, false, { bufferFull: 'block' });
    expect(a.cutAt).toBe(-1);
    expect(a.records.ends.length).toBe(d.ends.length);
    expect(a.counts).toMatchObject({ read: 4, mapped: 3, not_usage: 1 });
  });

  it('block: stops before the entry that does not fit and counts only what came before', () => {
    const a = admit(decoded(), perEntry[0] + 1, false, { bufferFull: 'block' });
    expect(a.cutAt).toBe(text.indexOf(big));
    expect(a.records.ends.length).toBe(perEntry[0]);
    expect(a.counts).toMatchObject({ read: 2, mapped: 1, not_usage: 1 });
    expect(a.dropped).toBe(0);
  });

  it('block: one entry larger than an empty buffer still goes in (the skip after it is counted)', () => {
    const a = admit(decoded(), 1, true, { bufferFull: 'block' });
    expect(a.records.ends.length).toBe(perEntry[0]);
    expect(a.cutAt).toBe(text.indexOf(big));
    expect(a.counts).toMatchObject({ read: 2, mapped: 1, not_usage: 1 });
  });

  it('drop_newest: drops the events of entries that do not fit, counts every entry, takes nothing past the room', () => {
    const a = admit(decoded(), perEntry[0] + 1, false, { bufferFull: 'drop_newest' });
    expect(a.cutAt).toBe(-1);
    expect(a.dropped).toBe(perEntry[1] + perEntry[2]);
    expect(a.records.ends.length).toBe(perEntry[0]);
    expect(a.records.data.toString()).not.toContain('"big"');
    expect(a.counts).toMatchObject({ read: 4, mapped: 3, not_usage: 1 });
  });

  it('drop_newest: a later entry that fits is kept after one that did not', () => {
    const a = admit(decoded(), perEntry[0] + perEntry[2], false, { bufferFull: 'drop_newest' });
    if (perEntry[1] > perEntry[2]) {
      expect(a.dropped).toBe(perEntry[1]);
      expect(a.records.data.toString()).toContain('"uniqueId":"c"');
    } else expect(a.dropped).toBe(perEntry[2]);
    expect(a.records.ends.length + a.dropped).toBe(d.ends.length);
  });
});
