// What a followed file is known by while it is read: its head (grown while it is shorter than 1 KiB) and the marks
// of the bytes up to its checkpoint, kept in step with each commit; and whether either changed under it.
import type { FileHandle } from 'node:fs/promises';
import type { FileRecord, Store } from '../state/store.js';
import { HEAD_BYTES, readHead } from './identity.js';
import { advanceMarks, markAt, parseMarks, windowHash, type Mark } from './marks.js';

export class FileIdentity {
  private marks: Mark[];
  private proposed?: Mark[];

  constructor(readonly record: FileRecord) {
    this.marks = parseMarks(record.marks);
  }

  /** The marks (JSON) for a checkpoint about to be committed at `offset`; `accept` keeps them once it is. */
  propose(fd: number, committed: number, offset: number): string | undefined {
    this.proposed = offset === committed ? undefined : advanceMarks(fd, this.marks, offset);
    return this.proposed && JSON.stringify(this.proposed);
  }

  /** The commit went through: what was proposed (if anything) is what the record holds now. */
  accept(): void {
    if (this.proposed) this.marks = this.proposed;
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
