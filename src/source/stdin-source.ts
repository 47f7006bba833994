// Standard input as a source: committed like a file, but with no resume; a full buffer stops reading the pipe.
import type { Readable } from 'node:stream';
import { EntryReader } from '../entries/reader.js';
import { ingest, type IngestOptions } from '../pipeline/ingest.js';
import type { Store } from '../state/store.js';

/** Reads `stream` to its end (or until `signal` aborts); bytes not yet committed are held to be fed again after a block. */
export async function readStream(
  stream: Readable, store: Store, opts: IngestOptions, maxLineBytes: number, signal: AbortSignal,
  waitForRoom: () => Promise<void>, scope = 'stdin',
): Promise<void> {
  const src = { scope, sourceId: scope };
  let reader = new EntryReader(maxLineBytes, 0);
  let held: { start: number; buf: Buffer }[] = [];
  let fedEnd = 0;
  const trim = (checkpoint: number) => {
    held = held.filter((h) => h.start + h.buf.length > checkpoint);
  };
  const feed = async (chunk: Buffer | null, eof: 'no' | 'final') => {
    if (chunk) {
      held.push({ start: fedEnd, buf: chunk });
      fedEnd += chunk.length;
    }
    let data = chunk;
    for (;;) {
      const r = ingest(store, reader, data, src, opts, eof);
      trim(r.checkpoint);
      if (!r.blocked) return;
      await waitForRoom();
      if (signal.aborted) return;
      reader = new EntryReader(maxLineBytes, r.checkpoint);
      data = Buffer.concat(held.map((h) => (h.start < r.checkpoint ? h.buf.subarray(r.checkpoint - h.start) : h.buf)));
    }
  };
  const abort = () => stream.destroy();
  signal.addEventListener('abort', abort, { once: true });
  try {
    for await (const chunk of stream) {
      await feed(chunk as Buffer, 'no');
      if (signal.aborted) return;
    }
    await feed(null, 'final');
  } catch {
    // destroyed on abort: what was committed stays, the rest of the pipe is the writer's
  } finally {
    signal.removeEventListener('abort', abort);
  }
}
