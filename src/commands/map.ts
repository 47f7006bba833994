// `aflo-tail map`: read inputs, print each event as one JSON line, and return the counts; touches no state.
import type { Readable, Writable } from 'node:stream';
import { emptyCounts, type EntryCounts } from '../entries/counts.js';
import { EntryReader } from '../entries/reader.js';
import { ByteOutput } from '../util/byte-output.js';
import { MappingSink } from '../mapping/mapping-sink.js';
import type { MappedRecords, MappingOptions } from '../mapping/types.js';

export interface MapInput { name: string; stream: Readable }

export async function runMap(
  inputs: MapInput[], out: Writable, opts: MappingOptions, maxLineBytes: number, now: () => number,
): Promise<EntryCounts & { events: number }> {
  const counts = emptyCounts();
  let events = 0;
  let drained = true;
  const output = new ByteOutput((bytes) => { drained = out.write(bytes) && drained; });
  const flush = async () => {
    output.flush();
    if (!drained) await new Promise<void>((resolve) => out.once('drain', resolve));
    drained = true;
  };
  const emit = (mapped: MappedRecords) => {
    // One join per entry: it flattens the records' string ropes far cheaper than encoding them one by one.
    output.append(mapped.records.join('\n') + '\n');
    events += mapped.records.length;
  };
  for (const input of inputs) {
    const reader = new EntryReader(maxLineBytes);
    const sink = new MappingSink(opts, input.name, counts, emit, now);
    for await (const chunk of input.stream) {
      reader.push(chunk as Buffer, sink);
      if (!drained || output.length > 1 << 19) await flush();
    }
    reader.finish(sink, true);
  }
  await flush();
  return { ...counts, events };
}
