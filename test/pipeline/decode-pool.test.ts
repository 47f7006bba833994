// The decode threads (the built worker script): results equal inline decoding; a thread that dies loses no piece
// silently (its callers get undefined and read again), and later pieces are decoded inline.
import { describe, expect, it } from 'vitest';
import type { DecodePool as Pool } from '../../src/pipeline/decode-pool.js';
import { decodePiece } from '../../src/pipeline/decode.js';
import { batchBody } from '../../src/ship/batch-body.js';
import { prebuiltFor } from '../../src/ship/prebuilt.js';
import { slabRange } from '../../src/state/slab.js';
import { MAPPING, slpLine } from '../helpers.js';

const { DecodePool } = (await import('../../dist/pipeline/decode-pool.js')) as { DecodePool: typeof Pool };
const cfg = { mapping: MAPPING, maxEntryBytes: 1 << 20 };
const piece = (text: string) => {
  const bytes = new Uint8Array(new ArrayBuffer(Buffer.byteLength(text)));
  bytes.set(Buffer.from(text));
  return { bytes, state: { lineStart: 100, skipLen: 0, acc: null }, eof: 'no' as const, sourceId: 's', fallbackTimeMs: 5 };
};
const text = [slpLine('a'), 'junk', slpLine('b', { image_count: 1 })].join('\n') + '\n';

describe('DecodePool', () => {
  it('takes a piece\'s bytes: after decode() the caller\'s buffer is empty, on a thread and inline alike', async () => {
    for (const opts of [{ threads: 1, inlineBelow: 0 }, { threads: 0 }]) {
      const pool = new DecodePool(cfg, opts);
      try {
        const buf = Buffer.from(piece(text).bytes.buffer);
        const d = await pool.decode({ ...piece(text), bytes: buf });
        expect(d!.ends.length).toBeGreaterThan(0);
        expect(buf.buffer.byteLength).toBe(0);
      } finally {
        await pool.close();
      }
    }
  });

  it('decodes on a thread exactly as inline', async () => {
    const pool = new DecodePool(cfg, { threads: 2, inlineBelow: 0 });
    try {
      const [x, y] = await Promise.all([pool.decode(piece(text)), pool.decode(piece(text))]);
      const inline = decodePiece(piece(text), cfg);
      for (const d of [x!, y!]) {
        expect(Buffer.from(d.data).toString()).toBe(inline.data.toString());
        expect({ ...d, data: null }).toEqual({ ...inline, data: null });
      }
    } finally {
      await pool.close();
    }
  });

  it('decodes small pieces inline without starting a thread; the first large piece starts it', async () => {
    let started = 0;
    const pool = new DecodePool(cfg, { threads: 1, inlineBelow: 1000, onStarted: () => started++ });
    const threads = () => (pool as unknown as { threads: unknown[] }).threads.length;
    try {
      const small = await pool.decode(piece(text));
      expect(threads()).toBe(0);
      expect(small!.data.toString()).toBe(decodePiece(piece(text), cfg).data.toString());
      const bigText = text.repeat(Math.ceil(1000 / text.length));
      const big = await pool.decode(piece(bigText));
      expect(threads()).toBe(1);
      expect(Buffer.from(big!.data).toString()).toBe(decodePiece(piece(bigText), cfg).data.toString());
      for (let i = 0; i < 50 && started === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(started).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('a dead thread hands its pieces back as lost, and decoding goes on inline', async () => {
    const pool = new DecodePool(cfg, { threads: 1, inlineBelow: 0 });
    const threads = (pool as unknown as { threads: { worker: { terminate(): Promise<number> } }[] }).threads;
    const pending = pool.decode(piece(text));
    await threads[0].worker.terminate();
    const lost = await pending;
    if (lost !== undefined) expect(lost.ends.length).toBeGreaterThan(0); // it may have finished first
    const again = await pool.decode(piece(text));
    expect(again?.ends.length).toBe(decodePiece(piece(text), cfg).ends.length);
    await pool.close();
  });

  it('with a batch size, makes the bodies of the full batches it predicts, as inline building makes them', async () => {
    let carry = { piece: -1, carry: 2 };
    const pool = new DecodePool({ ...cfg, batchSize: 3 }, { threads: 1, inlineBelow: 0, batchCarry: () => carry });
    const many = Array.from({ length: 9 }, (_, i) => slpLine(`e${i}`)).join('\n') + '\n';
    try {
      const first = (await pool.decode(piece(many)))!;
      // 2 records wait before the piece: the first batch spans them (inline); the next ones start at record 1.
      const starts = [...first.built!.at.keys()];
      const n = first.ends.length;
      expect(n).toBeGreaterThanOrEqual(9);
      expect(starts).toHaveLength(Math.floor((n - 1) / 3));
      for (let from = 1; from + 3 <= n; from += 3) {
        const part = { ...slabRange(first, from, from + 3), built: first.built };
        const expected = batchBody([slabRange(first, from, from + 3)]);
        expect(prebuiltFor([part])).toEqual({ body: expected.body, id: expected.id });
      }
      // The main thread says where the first piece left the batches (one record waiting): the next piece's start.
      carry = { piece: first.built!.piece, carry: 1 };
      const second = (await pool.decode(piece(many)))!;
      expect([...second.built!.at.keys()][0]).toBe(slabRange(second, 0, 2).data.length);
    } finally {
      await pool.close();
    }
  });
});
