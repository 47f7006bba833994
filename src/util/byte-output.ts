// Collects text into one reusable byte buffer and hands full buffers to a writer: no big string ropes to flatten.

// TextEncoder.encodeInto is several times faster than Buffer#write('utf8') for short strings on Node 20.
const encoder = new TextEncoder();

export class ByteOutput {
  private buf: Buffer;
  private pos = 0;

  constructor(private readonly flushTo: (bytes: Buffer) => void, size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
  }

  get length(): number {
    return this.pos;
  }

  append(text: string): void {
    if (this.buf.length - this.pos < text.length * 3) {
      this.flush();
      if (this.buf.length < text.length * 3) this.buf = Buffer.allocUnsafe(text.length * 3);
    }
    this.pos += encoder.encodeInto(text, this.buf.subarray(this.pos)).written;
  }

  /** Hands over what was collected (a copy-free view of a buffer that is then replaced) and starts afresh. */
  flush(): void {
    if (this.pos === 0) return;
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.pos = 0;
    this.flushTo(out);
  }
}
