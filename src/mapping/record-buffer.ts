// Event records written straight to bytes, newline-terminated, in one growable buffer: no per-record strings.

import { PLAIN } from './encode.js';

/** Node's direct string writers (Buffer#latin1Write / #utf8Write) skip Buffer#write's argument handling. */
type FastWrite = (s: string, offset: number) => number;
const proto = Buffer.prototype as unknown as { latin1Write?: FastWrite; utf8Write?: FastWrite };
const latin1: FastWrite = proto.latin1Write ?? function (this: Buffer, s, o) { return this.write(s, o, 'latin1'); };
const utf8: FastWrite = proto.utf8Write ?? function (this: Buffer, s, o) { return this.write(s, o, 'utf8'); };

export class RecordBuffer {
  private buf: Buffer;
  private pos = 0;
  /** Offset just past each record's newline. */
  private readonly ends: number[] = [];

  /** `reuse`: memory to write into first (a buffer whose records were consumed), instead of a new one. */
  constructor(size = 1 << 16, reuse?: Buffer) {
    this.buf = reuse ?? Buffer.allocUnsafe(size);
  }

  get count(): number {
    return this.ends.length;
  }

  get byteLength(): number {
    return this.pos;
  }

  /** The memory records are written into; writing goes on at byteLength (the native mapper writes there). */
  get memory(): Buffer {
    return this.buf;
  }

  /** Room for `n` more bytes. */
  reserve(n: number): void {
    this.ensure(n);
  }

  /** `n` records were written into memory from byteLength on by the native mapper; `ends` as ends[] takes them. */
  written(ends: Uint32Array, n: number): void {
    for (let i = 0; i < n; i++) this.ends.push(ends[i]);
    if (n > 0) this.pos = ends[n - 1];
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** `ascii` lets plain text take the fast Latin-1 path; anything else is written as UTF-8. */
  text(s: string, ascii: boolean): void {
    this.ensure(s.length * 3);
    this.pos += (ascii ? latin1 : utf8).call(this.buf, s, this.pos);
  }

  /** A finite number as JSON writes it; non-negative safe integers (counts, times) digit by digit. */
  number(n: number): void {
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n)) return this.text(String(n), true);
    this.ensure(16);
    let digits = 1;
    for (let k = n; k >= 10; k = Math.floor(k / 10)) digits++;
    const buf = this.buf;
    let at = this.pos + digits;
    this.pos = at;
    do {
      const q = Math.floor(n / 10);
      buf[--at] = 48 + (n - q * 10); // the digit first: 48 + n is not exact near 2^53
      n = q;
    } while (n > 0);
  }

  /** Bytes `from`..`to` written before, written again at the end (a memmove within the buffer: no view is made). */
  repeat(from: number, to: number): void {
    this.ensure(to - from);
    this.buf.copyWithin(this.pos, from, to);
    this.pos += to - from;
  }

  /** `v` as a JSON string: plain short ASCII byte by byte (cheaper than a native call), else JSON.stringify's text. */
  jsonString(v: string): void {
    if (v.length > 64 || !PLAIN.test(v)) return this.text(JSON.stringify(v), false);
    this.ensure(v.length + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = 0x22;
    for (let i = 0; i < v.length; i++) buf[pos++] = v.charCodeAt(i);
    buf[pos++] = 0x22;
    this.pos = pos;
  }

  /** `lit` from byte `from` on (short constants: a plain loop). */
  putFrom(lit: Uint8Array, from: number): void {
    this.ensure(lit.length - from);
    for (let i = from; i < lit.length; i++) this.buf[this.pos++] = lit[i];
  }

  /** All of `lit` (a constant). */
  put(lit: Uint8Array): void {
    this.ensure(lit.length);
    this.buf.set(lit, this.pos);
    this.pos += lit.length;
  }

  endRecord(): void {
    this.ensure(1);
    this.buf[this.pos++] = 10;
    this.ends.push(this.pos);
  }

  /** The record being written has just been ended by a newline among its bytes. */
  recordEnded(): void {
    this.ends.push(this.pos);
  }

  /** The records from number `from` on, each followed by a newline (a view, valid until the next write). */
  bytes(from = 0): Buffer {
    return this.buf.subarray(from === 0 ? 0 : this.ends[from - 1], this.pos);
  }

  /** Record number `i` without its newline (a view). */
  record(i: number): Buffer {
    return this.buf.subarray(i === 0 ? 0 : this.ends[i - 1], this.ends[i] - 1);
  }

  /** All records as a slab viewing this buffer's bytes: for a buffer that is not written again. */
  slab(): { data: Buffer; ends: number[] } {
    return { data: this.buf.subarray(0, this.pos), ends: this.ends };
  }

  strings(from = 0): string[] {
    const out: string[] = [];
    for (let i = from; i < this.ends.length; i++) out.push(this.record(i).toString('utf8'));
    return out;
  }

  reset(): void {
    this.pos = 0;
    this.ends.length = 0;
  }
}
