// What a followed file is known by while it is read: its head (grown while it is shorter than 1 KiB) and the marks
// of the bytes up to its checkpoint, kept in step with each commit; and whether either changed under it.
import type { FileHandle } from 'node:fs/promises';
import type { FileRecord, Store } from '../state/store.js';
import { HEAD_BYTES, readHead } from './identity.js';
import { readSync } from 'node:fs';
import { advanceMarks, markAt, MARK_BYTES, parseMarks, windowHash, windowsOf, type Mark } from './marks.js';

export class FileIdentity {
  private marks: Mark[];
  private proposed?: { marks: Mark[]; offset: number };
  /**
   * Hashes of mark windows of the bytes as they were read (before decoding), by window end: a checkpoint's marks are
   * those of the bytes its events came from, even when the file was truncated or rewritten before the commit.
   */
  private readonly seen = new Map<number, string>();
  /** The last KiB read and where it ends: the start of the windows of the piece read next. */
  private tail = { end: -1, bytes: Buffer.alloc(0) };

  constructor(readonly record: FileRecord) {
    this.marks = parseMarks(record.marks);
  }

  /** `bytes` were read at `from` from the file open as `fd`, to be decoded: the windows they end are hashed now. */
  read(fd: number, from: number, bytes: Buffer): void {
    let before = this.tail.end === from ? this.tail.bytes : Buffer.alloc(0);
    if (this.tail.end !== from && from > 0) {
      // Not after the last piece (the first read, a rewind): the KiB before it, as the file holds it now.
      const buf = Buffer.allocUnsafe(Math.min(MARK_BYTES, from));
      let got = 0;
      try { got = readSync(fd, buf, 0, buf.length, from - buf.length); } catch { got = 0; }
      before = got === buf.length ? buf : Buffer.alloc(0);
    }
    for (const [end, hash] of windowsOf(from, bytes, before)) this.seen.set(end, hash);
    // The KiB ending where these bytes end, copied (the piece's memory goes to the decoder); never the whole piece.
    const keep = Math.min(MARK_BYTES, before.length + bytes.length);
    const fromBytes = Math.min(keep, bytes.length);
    const tail = Buffer.allocUnsafe(keep);
    before.copy(tail, 0, before.length - (keep - fromBytes));
    bytes.copy(tail, keep - fromBytes, bytes.length - fromBytes);
    this.tail = { end: from + bytes.length, bytes: tail };
  }

  /** The marks (JSON) for a checkpoint about to be committed at `offset`; `accept` keeps them once it is. */
  propose(fd: number, committed: number, offset: number): string | undefined {
    const marks = offset === committed ? undefined : advanceMarks(fd, this.marks, offset, this.seen);
    this.proposed = marks && { marks, offset };
    return marks && JSON.stringify(marks);
  }

  /** The commit went through: what was proposed (if anything) is what the record holds now. */
  accept(): void {
    if (this.proposed) {
      this.marks = this.proposed.marks;
      for (const end of this.seen.keys()) if (end <= this.proposed.offset) this.seen.delete(end);
    }
    this.proposed = undefined;
  }

  /** A commit is about to be tried: nothing proposed before it stands. */
  reset(): void {
    this.proposed = undefined;
  }

  /** True when the bytes just before the checkpoint are no longer those read (the file was rewritten in place). */
  checkpointChanged(fd: number, committed: number): boolean {
    const mark = markAt(this.marks, committed);
    return mark !== undefined && windowHash(fd, committed) !== mark[1];
  }

  /** True when the first bytes no longer hash as recorded: truncated or rewritten in place. */
  async headChanged(handle: FileHandle): Promise<boolean> {
    const head = await readHead(handle, this.record.head_len);
    return head.len < this.record.head_len || head.hash !== this.record.head_hash;
  }

  /** A file first seen shorter than 1 KiB takes a longer head as identity as it grows ('changed': its start changed). */
  async growHead(handle: FileHandle, size: number, store: Store): Promise<'same' | 'grown' | 'changed'> {
    const r = this.record;
    if (r.head_len >= HEAD_BYTES || size <= r.head_len) return 'same';
    if (await this.headChanged(handle)) return 'changed';
    const head = await readHead(handle, size);
    if (head.len === r.head_len) return 'same';
    r.head_len = head.len;
    r.head_hash = head.hash;
    r.head = head.bytes;
    store.files.updateHead(r.id, head.len, head.hash, head.bytes);
    return 'grown';
  }
}
