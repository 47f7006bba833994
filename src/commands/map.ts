// `aflo-tail map`: read inputs, print each event as one JSON line, and return the counts; touches no state.
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { emptyCounts, type EntryCounts } from '../entries/counts.js';
import { EntryReader } from '../entries/reader.js';
import { MappingSink } from '../mapping/mapping-sink.js';
import { RecordBuffer } from '../mapping/record-buffer.js';
import type { MappingOptions } from '../mapping/types.js';

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

export async function runMap(
  inputs: MapInput[], out: Writable, opts: MappingOptions, maxLineBytes: number, now: () => number,
): Promise<EntryCounts & { events: number }> {
  const counts = emptyCounts();
  let events = 0;
  // Two record buffers: one is written out while the other fills; a buffer is reused once its write is done.
  const buffers = [new RecordBuffer(1 << 20), new RecordBuffer(1 << 20)];
  const written: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  let current = 0;
  const flush = async () => {
    const records = buffers[current];
    if (records.count === 0) return;
    events += records.count;
    written[current] = new Promise<void>((resolve, reject) => out.write(records.bytes(), (err) => (err ? reject(err) : resolve())));
    current = 1 - current;
    await written[current];
    buffers[current].reset();
  };
  for (const input of inputs) {
    const reader = new EntryReader(maxLineBytes);
    for await (const chunk of input.stream) {
      // The reader keeps no view of a chunk (a partial line is copied), so the next read may overwrite it.
      reader.push(chunk, sinkOf(input.name));
      if (buffers[current].byteLength > 1 << 19) await flush();
    }
    reader.finish(sinkOf(input.name), true);
    await flush();
  }
  await Promise.all(written);
  return { ...counts, events };

  function sinkOf(name: string): MappingSink {
    return new MappingSink(opts, name, counts, buffers[current], now);
  }
}
