// A few large buffers kept for reuse between the reading and the decoding thread: steady memory, no page faults.

/** Buffers smaller than this are not worth keeping; larger than `maxBytes` (grown for a long line) are let go. */
const MIN_BYTES = 1 << 16;

export class BufferShelf {
  private readonly shelf: ArrayBuffer[] = [];

  constructor(private readonly capacity: number, private readonly maxBytes = 8 << 20) {}

  /** Keeps `b` (which nothing else may view any more) if there is room and its size is worth it. */
  put(b: ArrayBuffer): void {
    if (b.byteLength >= MIN_BYTES && b.byteLength <= this.maxBytes && this.shelf.length < this.capacity) this.shelf.push(b);
  }

  /** A kept buffer of at least `size` bytes, as a whole-buffer view, or undefined. */
  take(size: number): Buffer | undefined {
    const i = this.shelf.findIndex((b) => b.byteLength >= size);
    if (i < 0) return undefined;
    const [b] = this.shelf.splice(i, 1);
    return Buffer.from(b);
  }
}
