// Decoding in pieces: however the bytes are cut, chaining each piece's reader state gives exactly what one pass
// gives (records, items, checkpoints); a piece begun on a wrong guess is told apart by its state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReaderState } from '../../src/entries/reader.js';
import { decodePiece, type Decoded } from '../../src/pipeline/decode.js';
import { MAPPING, slpLine } from '../helpers.js';

const cfg = { mapping: MAPPING, maxEntryBytes: 400 };
const start = (offset: number): ReaderState => ({ lineStart: offset, skipLen: 0, acc: null });

/** Decodes `bytes` cut at `cuts`, each piece from the state the previous one ended in (re-reading partial lines). */
function inPieces(bytes: Buffer, cuts: number[]): { records: string; items: [number, number][]; checkpoint: number } {
  let state = start(0);
  let records = '';
  const items: [number, number][] = [];
  let checkpoint = 0;
  for (const cut of [...cuts, bytes.length]) {
    const from = state.lineStart + state.skipLen;
    if (cut <= from) continue;
    const d: Decoded = decodePiece({ bytes: bytes.subarray(from, cut), state, eof: cut === bytes.length ? 'final' : 'no', sourceId: 's', fallbackTimeMs: 7 }, cfg);
    records += d.data.toString('utf8');
    d.starts.forEach((s, i) => items.push([s, d.info[i]]));
    state = d.state;
    checkpoint = d.checkpoint;
  }
  return { records, items, checkpoint };
}

const entry = fc.oneof(
  fc.nat(99).map((i) => slpLine(`e${i}`) + '\n'),
  fc.nat(99).map((i) => JSON.stringify(JSON.parse(slpLine(`p${i}`)), null, 2) + '\n'),
  fc.constant('not json at all\n'),
  fc.constant(`{"id":"long","pad":"${'x'.repeat(500)}"}\n`),
  fc.constant('{"broken": \n'),
  fc.nat(99).map((i) => `garbage{"x":1 ${slpLine(`f${i}`)}\n`),
);

describe('decodePiece', () => {
  it('gives the same records, items and checkpoint however the input is cut', () => {
    fc.assert(fc.property(fc.array(entry, { maxLength: 12 }), fc.array(fc.nat(4000), { maxLength: 8 }), (entries, rawCuts) => {
      const bytes = Buffer.from(entries.join(''));
      const whole = inPieces(bytes, []);
      const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      expect(inPieces(bytes, cuts)).toEqual(whole);
    }), { numRuns: 300 });
  });

  it('ends a piece cut inside a pretty-printed entry with that entry in progress (a clean guess after it is wrong)', () => {
    const text = JSON.stringify(JSON.parse(slpLine('p1')), null, 2) + '\n' + slpLine('e2') + '\n';
    const cut = text.indexOf('\n', 20) + 1;
    const d = decodePiece({ bytes: Buffer.from(text.slice(0, cut)), state: start(0), eof: 'no', sourceId: 's', fallbackTimeMs: 0 }, cfg);
    expect(d.state.acc).not.toBeNull();
    expect(d.checkpoint).toBe(0);
    expect(d.state.lineStart).toBe(cut);
  });
});
