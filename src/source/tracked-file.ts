// One followed file: an open handle read by byte offset, its entry reader, and its checkpoint record.
import type { FileHandle } from 'node:fs/promises';
import { EntryReader } from '../entries/reader.js';
import { ingest, roomLeft, type IngestOptions } from '../pipeline/ingest.js';
import type { FileRecord, Store } from '../state/store.js';
import { HEAD_BYTES, readHead } from './identity.js';

const READ_SIZE = 1 << 20;
const MIN_READ = 64 << 10;

export type ReadOutcome = 'eof' | 'blocked' | 'more' | 'truncated';

export class TrackedFile {
  /** Next byte to read; the reader holds back what is not a whole entry yet. */
  private pos: number;
  private reader: EntryReader;
  private readonly buf = Buffer.allocUnsafe(READ_SIZE);
  size: number;
  detachedAt?: number;
  /** Bytes of log per event produced, measured as the file is read (LiteLLM lines: a few hundred). */
  private bytesPerEvent = 256;
  idleSince?: number;

  constructor(
    readonly record: FileRecord,
    readonly handle: FileHandle,
    private readonly maxLineBytes: number,
  ) {
    this.pos = record.offset;
    this.size = record.size;
    this.reader = new EntryReader(maxLineBytes, record.offset);
  }

  get id(): number { return this.record.id; }
  get path(): string { return this.record.path; }
  get readPosition(): number { return this.pos; }
  get checkpoint(): number { return this.reader.safeOffset; }

  /** Reads at most `budget` bytes and commits what they hold; `atEof` also reads an unterminated last entry that parses. */
  async read(store: Store, opts: IngestOptions, budget: number, atEof: boolean): Promise<ReadOutcome> {
    // Truncated and rewritten since the last look (copytruncate): reading on at the old offset would read garbage.
    if (this.detachedAt === undefined && (await this.headChanged())) return 'truncated';
    let left = budget;
    while (left > 0) {
      // Near a full buffer, read only about what fits: a cut mid-chunk means parsing the rest again later.
      const room = opts.bufferFull === 'block' ? roomLeft(store, opts) : Infinity;
      if (room === 0 && store.bufferedEvents > 0) return 'blocked';
      const fits = Math.max(MIN_READ, Math.floor(Math.min(room, READ_SIZE) * this.bytesPerEvent));
      const { bytesRead } = await this.handle.read(this.buf, 0, Math.min(READ_SIZE, left, fits), this.pos);
      if (bytesRead === 0) {
        if (atEof && this.reader.pendingBytes > 0) {
          const r = ingest(store, this.reader, null, this.src(), opts, 'soft');
          if (r.blocked) return this.restartAt(r.checkpoint);
        }
        return 'eof';
      }
      const before = this.reader.safeOffset;
      this.pos += bytesRead;
      if (this.pos > this.size) this.size = this.pos;
      left -= bytesRead;
      const r = ingest(store, this.reader, this.buf.subarray(0, bytesRead), this.src(), opts);
      if (r.events > 0) this.bytesPerEvent = Math.max(16, (r.checkpoint - before) / r.events);
      if (!(await this.growHead(store))) return 'truncated';
      if (r.blocked) return this.restartAt(r.checkpoint);
    }
    return 'more';
  }

  private restartAt(offset: number): ReadOutcome {
    this.pos = offset;
    this.reader = new EntryReader(this.maxLineBytes, offset);
    return 'blocked';
  }

  private src() {
    return { scope: `file:${this.record.id}`, sourceId: this.record.head_hash, checkpoint: { fileId: this.record.id, size: this.size } };
  }

  /** A file first seen shorter than 1 KiB takes a longer head as identity as it grows; false if its start changed. */
  private async growHead(store: Store): Promise<boolean> {
    if (this.record.head_len >= HEAD_BYTES || this.size <= this.record.head_len) return true;
    if (await this.headChanged()) return false;
    const head = await readHead(this.handle, this.size);
    this.record.head_len = head.len;
    this.record.head_hash = head.hash;
    store.files.updateHead(this.record.id, head.len, head.hash);
    return true;
  }

  /** True when the first bytes no longer hash as recorded: truncated or rewritten in place. */
  async headChanged(): Promise<boolean> {
    const head = await readHead(this.handle, this.record.head_len);
    return head.len < this.record.head_len || head.hash !== this.record.head_hash;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
