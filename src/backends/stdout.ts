// `stdout` backend: one record per line (NDJSON), for dry runs and pipes.
import type { Writable } from 'node:stream';
import type { Backend, OutgoingBatch, SendResult } from './types.js';

export function stdoutBackend(out: Writable): Backend {
  return {
    type: 'stdout',
    send(batch: OutgoingBatch): Promise<SendResult> {
      const text = batch.records().map((r) => r + '\n').join('');
      return new Promise((resolve) => {
        out.write(text, (err) => resolve(err ? { kind: 'retry', reason: `stdout: ${err.message}` } : { kind: 'accepted' }));
      });
    },
    async check() { return { ok: true }; },
    async close() {},
  };
}
