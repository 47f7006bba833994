// `aflo-tail map`: read inputs, print each event as one JSON line, and return the counts; touches no state.
import type { Readable, Writable } from 'node:stream';
import { emptyCounts, type EntryCounts } from '../entries/counts.js';
import { EntryReader } from '../entries/reader.js';
import { MappingSink } from '../mapping/mapping-sink.js';
import { RecordBuffer } from '../mapping/record-buffer.js';
import type { MappingOptions } from '../mapping/types.js';

export interface MapInput { name: string; stream: Readable }

export async function runMap(
  inputs: MapInput[], out: Writable, opts: MappingOptions, maxLineBytes: number, now: () => number,
): Promise<EntryCounts & { events: number }> {
  const counts = emptyCounts();
  let events = 0;
  const flush = async (records: RecordBuffer) => {
    if (records.count === 0) return;
    events += records.count;
    // A copy: the buffer is reused while the stream may still hold the bytes.
    const ok = out.write(Buffer.from(records.bytes()));
    records.reset();
    if (!ok) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  for (const input of inputs) {
    const reader = new EntryReader(maxLineBytes);
    const records = new RecordBuffer(1 << 20);
    const sink = new MappingSink(opts, input.name, counts, records, now);
    for await (const chunk of input.stream) {
      reader.push(chunk as Buffer, sink);
      if (records.byteLength > 1 << 19) await flush(records);
    }
    reader.finish(sink, true);
    await flush(records);
  }
  return { ...counts, events };
}
