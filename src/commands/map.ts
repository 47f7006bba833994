// `aflo-tail map`: read inputs, print each event as one JSON line, and return the counts; touches no state.
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { emptyCounts, type EntryCounts } from '../entries/counts.js';
import { EntryReader } from '../entries/reader.js';
import { countItem } from '../mapping/entry-notes.js';
import type { MappingOptions } from '../mapping/types.js';
import { decodeWith, type Decoded } from '../pipeline/decode.js';

/** `stream`: the input's chunks; each may be overwritten once the next is asked for (a file read into one buffer). */
export interface MapInput { name: string; stream: AsyncIterable<Buffer> }

/** A file's bytes in chunks read into one buffer, again and again (no fresh memory per chunk). */
export async function* fileChunks(path: string, size = 1 << 20): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(size);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, size, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Decodes each input as the daemon does (pipeline/decode.ts: the same reader, mappers and item counting) and writes
 * the records; a chunk's records are written while the next chunk is decoded into the other of two buffers.
 */
export async function runMap(
  inputs: MapInput[], out: Writable, opts: MappingOptions, maxLineBytes: number, now: () => number,
): Promise<EntryCounts & { events: number }> {
  const counts = emptyCounts();
  const cfg = { mapping: opts, maxEntryBytes: maxLineBytes };
  let events = 0;
  const memory = [Buffer.allocUnsafeSlow(2 << 20), Buffer.allocUnsafeSlow(2 << 20)];
  const written: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  let turn = 0;
  const spare = (size: number) => (size <= memory[turn].length ? memory[turn] : undefined);
  const take = async (d: Decoded) => {
    for (const info of d.info) countItem(counts, info);
    if (d.ends.length === 0) return;
    events += d.ends.length;
    written[turn] = new Promise<void>((resolve, reject) => out.write(d.data, (err) => (err ? reject(err) : resolve())));
    turn = 1 - turn;
    await written[turn];
  };
  for (const input of inputs) {
    const reader = new EntryReader(maxLineBytes);
    // The reader keeps no view of a chunk (a partial line is copied), so the next read may overwrite it.
    for await (const chunk of input.stream) await take(decodeWith(reader, chunk, 'no', cfg, input.name, now(), spare));
    await take(decodeWith(reader, null, 'final', cfg, input.name, now(), spare));
  }
  await Promise.all(written);
  return { ...counts, events };
}
