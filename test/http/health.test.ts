// /healthz's reasons with a controlled clock: buffer full past its grace, nothing accepted for too long, recovery.
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/types.js';
import { emptyCounts } from '../../src/entries/counts.js';
import { HealthCheck } from '../../src/http/health.js';
import { RecordBuffer } from '../../src/mapping/record-buffer.js';
import { Store } from '../../src/state/store.js';
import { newFlusher, tempDir } from '../helpers.js';

let clock = 1_000_000;
const now = () => clock;
let dir: ReturnType<typeof tempDir>;
let store: Store;
let accept = false;
const backend: Backend = {
  type: 'test',
  send: async () => (accept ? { kind: 'accepted' } : { kind: 'retry', reason: 'HTTP 503' }),
  check: async () => ({ ok: true }),
  close: async () => {},
};

beforeEach(() => {
  dir = tempDir();
  store = Store.open(join(dir.path, 's'), now);
  accept = false;
});
afterEach(() => { store.close(); dir.remove(); });

function add(n: number): void {
  const records = new RecordBuffer();
  for (let i = 0; i < n; i++) { records.text(`{"uniqueId":"u${i}","meterApiName":"m","meterValue":1,"meterTimeInMillis":1,"dimensions":{}}`, true); records.endRecord(); }
  store.commitPiece({ scope: 't', records: records.slab(), dropped: 0, counts: emptyCounts() });
}

describe('HealthCheck', () => {
  it('is unhealthy once the buffer has been full past the grace period, and healthy again when it drains', async () => {
    const flusher = newFlusher(store, backend, { batchSize: 5, flushIntervalMs: 0, maxBufferSize: 10, prefix: 'p', backoff: { baseMs: 1, capMs: 1, random: () => 0 }, authRetryMs: 1, concurrency: 1, now, log: pino({ level: 'silent' }) });
    const health = new HealthCheck(store, flusher, () => [], { maxBufferSize: 10, fullGraceMs: 60_000, staleMs: 900_000, now });
    expect(health.check()).toEqual({ ok: true });
    add(10);
    expect(health.check()).toEqual({ ok: true });
    clock += 61_000;
    const bad = health.check();
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/buffer full \(10 events\)/);
    accept = true;
    await flusher.drain(AbortSignal.timeout(5000), true);
    expect(health.check()).toEqual({ ok: true });
  });

  it('is unhealthy when nothing was accepted for too long while events wait', async () => {
    const flusher = newFlusher(store, backend, { batchSize: 5, flushIntervalMs: 0, maxBufferSize: 100, prefix: 'p', backoff: { baseMs: 1, capMs: 1, random: () => 0 }, authRetryMs: 1, concurrency: 1, now, log: pino({ level: 'silent' }) });
    const health = new HealthCheck(store, flusher, () => [], { maxBufferSize: 100, fullGraceMs: 60_000, staleMs: 900_000, now });
    add(3);
    await flusher.drain(AbortSignal.timeout(200), true);
    clock += 901_000;
    const bad = health.check();
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/nothing accepted for 901 s while events wait \(HTTP 503\)/);
  });
});
