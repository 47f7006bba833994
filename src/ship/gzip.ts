// gzip of batch bodies: the addon's (a deflate state per thread, reset for each body) when it is built, else
// zlib.gzipSync. Both are the zlib Node links, with the same parameters: the same bytes (test/ship/gzip.test.ts).
import { gzipSync } from 'node:zlib';
import { fastMapAddon } from '../mapping/fast-mapper.js';

/** A body in memory of its own. */
export function gzipBody(data: Uint8Array, level: number): Buffer {
  const addon = fastMapAddon();
  return addon?.gzip(data, level) ?? gzipSync(data, { level });
}

/**
 * Bodies written back to back into one piece of memory (a decode thread's bodies for a piece, moved to the main
 * thread at once): no memory per body that waits for the thread's next garbage collection.
 */
export class BodySink {
  private buf: Buffer;
  /** Bytes written; setting it back forgets the bodies after that point. */
  length = 0;

  constructor(estimate: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(estimate, 1 << 12));
  }

  /** Appends `data` gzipped and returns a view of it (valid until the next append). */
  gzip(data: Uint8Array, level: number): Buffer {
    const at = this.length;
    const addon = fastMapAddon();
    let n = -1;
    if (addon) {
      // Bodies take about a tenth of their array: room for a quarter first, for the most zlib could write if not.
      this.room((data.length >> 2) + 1024);
      n = addon.gzip(data, level, this.buf, at) ?? -1;
      if (n < 0) {
        this.room(addon.gzipBound(data.length));
        n = addon.gzip(data, level, this.buf, at) ?? -1;
      }
    }
    if (n < 0) {
      const body = gzipBody(data, level);
      this.room(body.length);
      n = body.copy(this.buf, at);
    }
    this.length = at + n;
    return this.buf.subarray(at, at + n);
  }

  /** What was written, in memory that may be moved to another thread (with `transfer`). */
  get bytes(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.length);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.buf.length, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }
}
