// Shared test helpers: run the entry reader over chunks and collect what it found.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryReader, type SkipReason } from '../src/entries/reader.js';
import type { Obj } from '../src/entries/recognise.js';
import type { Backend } from '../src/backends/types.js';
import { Batching, type BatchingOptions } from '../src/ship/batching.js';
import { Flusher, type FlusherOptions } from '../src/ship/flusher.js';
import type { Store } from '../src/state/store.js';

export type Found = { entries: { slp: Obj; start: number; end: number; index: number }[]; skips: { reason: SkipReason; start: number; end: number }[] };

export function readAll(chunks: (string | Buffer)[], opts: { max?: number; force?: boolean; eof?: boolean } = {}): Found & { reader: EntryReader } {
  const found: Found = { entries: [], skips: [] };
  const reader = new EntryReader(opts.max ?? 1 << 20);
  const sink = {
    entry: (slp: Obj, start: number, end: number, index: number) => found.entries.push({ slp, start, end, index }),
    skip: (reason: SkipReason, start: number, end: number) => found.skips.push({ reason, start, end }),
  };
  for (const c of chunks) reader.push(Buffer.isBuffer(c) ? c : Buffer.from(c), sink);
  if (opts.force || opts.eof) reader.finish(sink, opts.force ?? false);
  return { ...found, reader };
}

export function tempDir(prefix = 'aflo-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The vitest project `js-mapper` runs the same tests with the JavaScript mapper only. */
export const JS_MAPPER_ONLY = process.env.AFLO_TEST_MAPPER === 'js';

export const MAPPING = { hostedEnv: 'prod', regionMap: new Map<string, string>(), sendObjectMetadata: false, ...(JS_MAPPER_ONLY ? { native: false } : {}) };

export function slpLine(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id, call_type: 'acompletion', status: 'success', model: 'gpt-4o', custom_llm_provider: 'openai',
    startTime: 1766000068.28466, endTime: 1766000070.07935, prompt_tokens: 10, completion_tokens: 20, ...extra,
  });
}

/** A flusher and the batching it sends from, made from one set of options (as run.ts makes them). */
export function newFlusher(store: Store, backend: Backend, o: FlusherOptions & BatchingOptions): Flusher {
  const batching = new Batching(store, { batchSize: o.batchSize, flushIntervalMs: o.flushIntervalMs, maxBufferSize: o.maxBufferSize, prefix: o.prefix, now: o.now });
  return new Flusher(store, batching, backend, o);
}
