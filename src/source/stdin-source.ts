// Standard input as a source: committed like a file, but with no resume; a full buffer stops reading the pipe.
import type { Readable } from 'node:stream';
import { EntryReader } from '../entries/reader.js';
import { decodeAndCommit, type CommitOptions } from '../pipeline/commit.js';
import { sleep } from '../util/waiting.js';
import { isStoreError, type Store } from '../state/store.js';

/** How often a commit is tried again while the state database cannot be written. */
const STORE_RETRY_MS = 1000;

/**
 * Reads `stream` to its end (or until `signal` aborts); bytes not yet committed are held to be fed again after a
 * block, or after a commit that failed (full disk, a lock held too long): then reading pauses and retries.
 */
export async function readStream(
  stream: Readable, store: Store, opts: CommitOptions, maxLineBytes: number, signal: AbortSignal,
  waitForRoom: () => Promise<void>, scope = 'stdin',
): Promise<void> {
  // Entries without a time get the time reading began (a pipe has no checkpoint to keep one with).
  const src = { scope, sourceId: scope, firstSeenMs: opts.now() };
  let reader = new EntryReader(maxLineBytes, 0);
  let held: { start: number; buf: Buffer }[] = [];
  let fedEnd = 0;
  let committed = 0;
  const trim = (checkpoint: number) => {
    held = held.filter((h) => h.start + h.buf.length > checkpoint);
  };
  /** A reader at the last commit, and the bytes held from there. */
  const again = () => {
    reader = new EntryReader(maxLineBytes, committed);
    return Buffer.concat(held.map((h) => (h.start < committed ? h.buf.subarray(committed - h.start) : h.buf)));
  };
  const feed = async (chunk: Buffer | null, eof: 'no' | 'final') => {
    if (chunk) {
      held.push({ start: fedEnd, buf: chunk });
      fedEnd += chunk.length;
    }
    let data = chunk;
    for (;;) {
      let r;
      try {
        r = decodeAndCommit(store, reader, data, src, opts, eof);
      } catch (err) {
        if (!isStoreError(err)) throw err;
        await sleep(STORE_RETRY_MS, signal);
        if (signal.aborted) return;
        data = again();
        continue;
      }
      committed = r.checkpoint;
      trim(r.checkpoint);
      if (!r.blocked) return;
      await waitForRoom();
      if (signal.aborted) return;
      data = again();
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
  } catch (err) {
    // Destroyed on abort: what was committed stays, the rest of the pipe is the writer's. Anything else is an error.
    if (!signal.aborted) throw err;
  } finally {
    signal.removeEventListener('abort', abort);
  }
}
