// Flusher decisions against a scripted backend: bisecting refusals into the dead-letter table, 413 splits, replay, re-sends.
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, OutgoingBatch, SendResult } from '../../src/backends/types.js';
import { emptyCounts } from '../../src/entries/counts.js';
import { RecordBuffer } from '../../src/mapping/record-buffer.js';
import type { Flusher } from '../../src/ship/flusher.js';
import { backoffDelay, parseRetryAfter } from '../../src/ship/retry.js';
import { Store } from '../../src/state/store.js';
import { newFlusher, tempDir } from '../helpers.js';

class Scripted implements Backend {
  readonly type = 'scripted';
  readonly accepted: string[] = [];
  readonly bodies = new Map<string, Buffer>();
  answer: (records: string[], b: OutgoingBatch) => SendResult = () => ({ kind: 'accepted' });
  async send(b: OutgoingBatch): Promise<SendResult> {
    const records = JSON.parse(gunzipSync(b.body).toString()).map((r: unknown) => JSON.stringify(r));
    const prev = this.bodies.get(b.key);
    if (prev) expect(prev.equals(b.body)).toBe(true);
    this.bodies.set(b.key, b.body);
    const r = this.answer(records, b);
    if (r.kind === 'accepted') this.accepted.push(...records);
    return r;
  }
  async check() { return { ok: true as const }; }
  async close() {}
}

let dir: ReturnType<typeof tempDir>;
let store: Store;
let backend: Scripted;
let flusher: Flusher;
beforeEach(() => {
  dir = tempDir();
  store = Store.open(join(dir.path, 'state'), Date.now);
  backend = new Scripted();
  flusher = newFlusher(store, backend, {
    batchSize: 10, flushIntervalMs: 0, maxBufferSize: 1000, prefix: 'p', backoff: { baseMs: 1, capMs: 5, random: () => 0.5 },
    authRetryMs: 20, concurrency: 2, now: Date.now, log: pino({ level: 'silent' }),
  });
});
afterEach(() => { store.close(); dir.remove(); });

function buffer(n: number, mark: (i: number) => boolean = () => false): void {
  const records = Array.from({ length: n }, (_, i) => JSON.stringify({ uniqueId: `u${i}`, meterApiName: 'm', meterValue: 1, meterTimeInMillis: 1700000000000, dimensions: { bad: mark(i) ? 'y' : 'n' } }));
  const buf = new RecordBuffer();
  for (const r of records) { buf.text(r, true); buf.endRecord(); }
  store.commitPiece({ scope: 'test', records: buf.slab(), dropped: 0, counts: emptyCounts() });
}

const balanced = () => {
  const c = store.counts.all()[''] ?? {};
  return (c.produced ?? 0) === (c.accepted ?? 0) + store.refreshBuffered() + (c.dead_lettered ?? 0) + (c.dropped ?? 0);
};

describe('flusher', () => {
  it('bisects a refused batch so only the refused events are dead-lettered; replay sends them after the fix', async () => {
    buffer(25, (i) => i === 3 || i === 17);
    let fixed = false;
    backend.answer = (records) => (!fixed && records.some((r) => r.includes('"bad":"y"')) ? { kind: 'rejected', status: 400, reason: 'HTTP 400: bad record' } : { kind: 'accepted' });
    expect(await flusher.drain(AbortSignal.timeout(5000), true)).toEqual({ ok: true });
    expect(backend.accepted).toHaveLength(23);
    const dl = store.deadLetters();
    expect(dl.map((d) => JSON.parse(d.record).uniqueId)).toEqual(['u3', 'u17']);
    expect(dl[0]).toMatchObject({ status: 400, reason: 'HTTP 400: bad record' });
    expect(balanced()).toBe(true);
    fixed = true;
    expect(store.replayDeadLetters()).toBe(2);
    expect(await flusher.drain(AbortSignal.timeout(5000), true)).toEqual({ ok: true });
    expect(backend.accepted).toHaveLength(25);
    expect(store.counts.all()['']).toMatchObject({ produced: 25, accepted: 25, dead_lettered: 0 });
  });

  it('splits on 413 until batches fit', async () => {
    buffer(10);
    backend.answer = (records) => (records.length > 3 ? { kind: 'too_large', reason: 'HTTP 413' } : { kind: 'accepted' });
    expect(await flusher.drain(AbortSignal.timeout(5000), true)).toEqual({ ok: true });
    expect(backend.accepted.map((r) => JSON.parse(r).uniqueId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `u${i}`).sort());
    expect(store.deadLetterCount()).toBe(0);
  });

  it('re-sends a failed batch byte for byte under the same key until it is accepted', async () => {
    buffer(10);
    let calls = 0;
    backend.answer = () => (++calls < 4 ? { kind: 'retry', reason: 'HTTP 503' } : { kind: 'accepted' });
    expect(await flusher.drain(AbortSignal.timeout(5000), true)).toEqual({ ok: true });
    expect(calls).toBe(4);
    expect(backend.bodies.size).toBe(1);
  });

  it('stops on refused credentials in --once and keeps every event', async () => {
    buffer(5);
    backend.answer = () => ({ kind: 'misconfigured', status: 401, reason: 'HTTP 401', setting: 'AFLO_API_KEY' });
    const r = await flusher.drain(AbortSignal.timeout(5000), true);
    expect(r.ok).toBe(false);
    expect(store.refreshBuffered()).toBe(5);
    expect(flusher.health.misconfigured?.setting).toBe('AFLO_API_KEY');
  });

  it('records accepted batches in a group after the window, and sends none of them again meanwhile', async () => {
    const grouped = newFlusher(store, backend, {
      batchSize: 10, flushIntervalMs: 0, maxBufferSize: 10_000, prefix: 'p', backoff: { baseMs: 1, capMs: 5, random: () => 0.5 },
      authRetryMs: 20, concurrency: 4, ackWindowMs: 1000, now: Date.now, log: pino({ level: 'silent' }),
    });
    const sends = new Map<string, number>();
    backend.answer = (_records, b) => { sends.set(b.key, (sends.get(b.key) ?? 0) + 1); return { kind: 'accepted' }; };
    const stop = new AbortController();
    const running = grouped.run(stop.signal);
    buffer(200);
    grouped.poke();
    await until(() => backend.accepted.length === 200);
    // All 20 answers are in; none is recorded before the window closes, and no batch went out twice.
    expect(store.counts.all()['']?.accepted ?? 0).toBe(0);
    expect(store.refreshBuffered()).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect([...sends.values()]).toEqual(Array(20).fill(1));
    await until(() => (store.counts.all()['']?.accepted ?? 0) === 200);
    expect(store.refreshBuffered()).toBe(0);
    expect(balanced()).toBe(true);
    stop.abort();
    await running;
  });

  it('reads the pending batches again only when one was made or a send failed, and sends every one', async () => {
    let reads = 0;
    const read = store.pendingBatches.bind(store);
    store.pendingBatches = (limit, busy) => { reads++; return read(limit, busy); };
    let sends = 0;
    backend.answer = () => (++sends === 2 ? { kind: 'retry', reason: 'HTTP 503' } : { kind: 'accepted' });
    const stop = new AbortController();
    const running = flusher.run(stop.signal);
    // One batch made at a time, as a catch-up run commits them, with idle turns in between.
    for (let i = 0; i < 5; i++) {
      buffer(10);
      flusher.poke();
      await until(() => backend.accepted.length === 10 * (i + 1));
      await new Promise((r) => setTimeout(r, 20));
    }
    stop.abort();
    await running;
    expect(backend.accepted).toHaveLength(50);
    expect(sends).toBe(6);
    // A read per batch made, one after the failed send, and none while nothing changed.
    expect(reads).toBeLessThanOrEqual(5 + 2);
    expect(store.batchesMade).toBe(5);
  });

  it('records what is accepted when it stops, without waiting for the window', async () => {
    const grouped = newFlusher(store, backend, {
      batchSize: 10, flushIntervalMs: 0, maxBufferSize: 1000, prefix: 'p', backoff: { baseMs: 1, capMs: 5, random: () => 0.5 },
      authRetryMs: 20, concurrency: 4, ackWindowMs: 60_000, now: Date.now, log: pino({ level: 'silent' }),
    });
    const stop = new AbortController();
    const running = grouped.run(stop.signal);
    buffer(50);
    grouped.poke();
    await until(() => backend.accepted.length === 50);
    stop.abort();
    await running;
    expect(store.counts.all()['']).toMatchObject({ produced: 50, accepted: 50 });
    expect(store.refreshBuffered()).toBe(0);
  });
});

describe('many sends at once', () => {
  it('sends 16 batches at a time, each listening to the abort signal, without a listener-leak warning', async () => {
    let most = 0;
    let underway = 0;
    const slow: Backend = {
      type: 'slow',
      async send(_b, signal) {
        const onAbort = () => undefined;
        signal.addEventListener('abort', onAbort, { once: true });
        most = Math.max(most, ++underway);
        await new Promise((r) => setTimeout(r, 30));
        underway--;
        signal.removeEventListener('abort', onAbort);
        return { kind: 'accepted' };
      },
      async check() { return { ok: true as const }; },
      async close() {},
    };
    const flusher16 = newFlusher(store, slow, {
      batchSize: 10, flushIntervalMs: 0, maxBufferSize: 1000, prefix: 'p', backoff: { baseMs: 1, capMs: 5, random: () => 0.5 },
      authRetryMs: 20, concurrency: 16, now: Date.now, log: pino({ level: 'silent' }),
    });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    buffer(400);
    expect(await flusher16.drain(AbortSignal.timeout(10_000), true)).toEqual({ ok: true });
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(most).toBe(16);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});

async function until(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('retry timing', () => {
  it('full jitter under an exponential ceiling capped at 5 minutes, honouring Retry-After', () => {
    const opts = { baseMs: 1000, capMs: 300_000, random: () => 0.999999 };
    expect(backoffDelay(1, opts)).toBe(999);
    expect(backoffDelay(4, opts)).toBe(7999);
    expect(backoffDelay(30, opts)).toBe(299_999);
    expect(backoffDelay(1, { ...opts, random: () => 0 }, 7000)).toBe(7000);
    expect(parseRetryAfter('12', 0)).toBe(12_000);
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 0)).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
