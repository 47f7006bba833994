// One followed file: an open handle read by byte offset in pieces that end at a newline, decoded (possibly on other
// threads, several pieces at once) and committed strictly in order, each with its checkpoint.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { ReaderState } from '../entries/reader.js';
import type { Decoded } from '../pipeline/decode.js';
import type { Decoder } from '../pipeline/decode-pool.js';
import { commitDecoded, type CommitOptions } from '../pipeline/commit.js';
import type { FileRecord, Store } from '../state/store.js';
import { FileIdentity } from './file-identity.js';
import { lineStartAt, ReadAhead, resumeOf, sameStart, type PieceSource } from './read-ahead.js';

/** Bytes read (and decoded) at a time: large enough that per-piece costs vanish, small enough to pipeline. */
export const PIECE_BYTES = 1 << 20;

export type ReadOutcome = 'eof' | 'blocked' | 'more' | 'truncated';

/** Resolves when the buffer has room for `need` events, or after a while (a poll interval), or at a stop. */
export type RoomWait = (need: number) => Promise<void>;


export class TrackedFile {
  /** The reader's state after everything committed: reading goes on at its line start (plus skipped bytes). */
  private state: ReaderState;
  /** The last committed checkpoint: everything before it is consumed and no entry in progress starts before it. */
  private committed: number;
  /** How far the file has been read (bytes of a partial last line included). */
  private readEnd: number;
  size: number;
  detachedAt?: number;
  /** Read from `temp`, the decompressed bytes of the gzip file `path` (device, inode, size, look when found). */
  compressed?: { path: string; dev: string; ino: string; size: number; temp: string; look: string };
  /** The file's size when a read last reached its end (everything before was read), else -1. */
  private eofAt = -1;
  private eofMtime = -1n;
  /** Bytes of log per event produced, measured as the file is read (LiteLLM lines: a few hundred). */
  private bytesPerEvent = 256;
  /** Pieces still decoding when a read's budget ran out: the next read commits them first. */
  private flight?: ReadAhead;
  /** The open file; undefined while it is let go (idle, with too many files open): reopened by path and identity. */
  private h?: FileHandle;
  /** When a read last found the file changed (for choosing which idle files to let go first). */
  lastChangeMs = 0;
  /** The scan just saw it unchanged since its last read reached the end: the next read round passes it by. */
  skipNextRead = false;
  /** Head and marks, kept in step with the commits. */
  private readonly identity: FileIdentity;

  constructor(
    readonly record: FileRecord,
    handle: FileHandle,
    private readonly maxLineBytes: number,
    private readonly decoder: Decoder,
    /** Pieces decoded at the same time (read ahead of the one being committed). */
    private readonly depth = 1,
    private readonly pieceBytes = PIECE_BYTES,
  ) {
    this.h = handle;
    this.state = lineStartAt(record.offset);
    this.committed = this.readEnd = record.offset;
    this.size = record.size;
    this.identity = new FileIdentity(record);
  }

  get id(): number { return this.record.id; }
  get path(): string { return this.record.path; }
  get readPosition(): number { return Math.max(this.readEnd, resumeOf(this.state)); }
  get checkpoint(): number { return this.committed; }
  get isOpen(): boolean { return this.h !== undefined; }
  private get handle(): FileHandle {
    if (this.h === undefined) throw new Error(`${this.path} is not open`);
    return this.h;
  }

  /** True when a stat taken elsewhere (discovery) shows the file as the last read left it at its end. */
  unchanged(size: number, mtimeNs: bigint): boolean {
    return size === this.eofAt && mtimeNs === this.eofMtime;
  }

  /** Its size and modification time when a read last reached its end, as a scan's `look` of it. */
  get look(): string {
    return `${this.eofAt}:${this.eofMtime}`;
  }

  /** Read to its end with nothing under way (a plain file, not a decompressed one). */
  get atRest(): boolean {
    return this.flight === undefined && this.eofAt >= 0 && this.compressed === undefined;
  }

  /** At rest, and the file is no longer than what was read (nothing appended since the last read reached its end). */
  async readAll(): Promise<boolean> {
    if (!this.atRest) return false;
    try {
      const st = this.h ? await this.h.stat() : await stat(this.record.path);
      return st.size <= this.eofAt;
    } catch {
      return true;
    }
  }

  /** Whether its handle can be let go now: open and at rest. */
  get idle(): boolean {
    return this.h !== undefined && this.atRest;
  }

  /** Lets go of the handle of an idle file (too many files open); `reopen` takes it again. */
  async release(): Promise<void> {
    const h = this.h;
    this.h = undefined;
    await h?.close().catch(() => undefined);
  }

  /** Opens the file again at `path`: false when what is there now is another file (device:inode `key` differs). */
  async reopen(path: string, key: string): Promise<boolean> {
    let h: FileHandle;
    try { h = await open(path, 'r'); } catch { return false; }
    const st = await h.stat({ bigint: true });
    if (`${st.dev}:${st.ino}` !== key) { await h.close(); return false; }
    this.h = h;
    return true;
  }

  /**
   * Reads at most about `budget` bytes and commits what they hold; `atEof` also reads an unterminated last entry that
   * parses. A decoded piece that does not fit a full buffer waits (once) on `waitForRoom` while later pieces decode.
   * At the budget's end the pieces under way go on decoding and the next call commits them: the decode threads are
   * never left to run dry between rounds.
   */
  async read(store: Store, opts: CommitOptions, budget: number, atEof: boolean, waitForRoom?: RoomWait): Promise<ReadOutcome> {
    if (this.h === undefined) return 'eof';
    const kept = this.flight;
    this.flight = undefined;
    const changed = await this.lookForChange(atEof, opts);
    if (changed) return changed;
    // A full buffer (a backend that does not answer): nothing is read until there is room.
    if (opts.admission.full) return 'blocked';
    const ra = kept ?? this.readAhead(opts);
    let left = budget;
    for (;;) {
      left = await ra.fill(left, () => opts.admission.pieceEvents * this.bytesPerEvent);
      if (left <= 0 && ra.underWay) {
        // The budget is spent with more to read: what is under way is kept for the next round.
        this.flight = ra;
        return 'more';
      }
      const piece = ra.next();
      if (!piece) break;
      const d = await piece.result;
      if (d === undefined || (piece.state !== this.state && !sameStart(piece.state, this.state))) {
        // Decoded from a wrong guess (the piece before ended inside a multi-line entry), or lost: read it again.
        if (d) this.decoder.release(d);
        ra.rewind(this.state);
        continue;
      }
      if (waitForRoom && opts.admission.worthWaiting(d.ends.length)) await waitForRoom(d.ends.length);
      if (this.commit(store, d, opts)) return 'blocked';
      const head = await this.identity.growHead(this.handle, this.size, store);
      if (head === 'changed') return 'truncated';
      // Pieces ahead were decoded with the shorter head as the source's identity (ids of entries without one).
      if (head === 'grown' || ra.stalled) ra.rewind(this.state);
    }
    if (ra.eof && atEof && this.readEnd > resumeOf(this.state)) {
      const tail = await this.readUnterminated(store, opts);
      if (tail !== 'committed') return tail;
    }
    if (ra.eof) this.eofAt = this.readEnd;
    return ra.eof ? 'eof' : 'more';
  }

  /**
   * Whether the file changed since the last look: 'eof' when not (one fstat, no head check, no read: the common case
   * while following), 'truncated' when its bytes before the checkpoint are not those read; undefined: read on.
   */
  private async lookForChange(atEof: boolean, opts: CommitOptions): Promise<ReadOutcome | undefined> {
    // (Same size and modification time: a copytruncate rewrite to the same size still changes the time.)
    const st = await this.handle.stat({ bigint: true });
    const size = Number(st.size);
    if (size === this.eofAt && st.mtimeNs === this.eofMtime && !(atEof && size > resumeOf(this.state))) return 'eof';
    this.eofAt = -1;
    this.eofMtime = st.mtimeNs;
    this.lastChangeMs = opts.now();
    // Truncated and rewritten since the last look (copytruncate, `cp new.log app.log`): reading on at the old offset
    // would skip or garble what is there now. The bytes just before the checkpoint tell it even when the head is a
    // banner every file begins with.
    if (this.detachedAt === undefined && ((await this.headChanged()) || this.identity.checkpointChanged(this.handle.fd, this.committed))) return 'truncated';
    return undefined;
  }

  /** Reading ahead from the committed reader state, nothing under way. */
  private readAhead(opts: CommitOptions): ReadAhead {
    const src: PieceSource = {
      alloc: (size) => this.decoder.alloc(size),
      read: async (buf, length, at) => {
        const { bytesRead } = await this.handle.read(buf, 0, length, at);
        this.readEnd = Math.max(this.readEnd, at + bytesRead);
        if (this.readEnd > this.size) this.size = this.readEnd;
        return bytesRead;
      },
      decode: (bytes, state, from) => this.decode(bytes, state, 'no', opts, from),
    };
    return new ReadAhead(src, { depth: this.depth, pieceBytes: this.pieceBytes, maxLineBytes: this.maxLineBytes }, this.state);
  }

  /** An unterminated last entry, read if it parses whole (a writer that never ends its last line). */
  private async readUnterminated(store: Store, opts: CommitOptions): Promise<'committed' | 'more' | 'blocked'> {
    const from = resumeOf(this.state);
    const buf = this.decoder.alloc(this.readEnd - from);
    const { bytesRead } = await this.handle.read(buf, 0, this.readEnd - from, from);
    const d = await this.decode(buf.subarray(0, bytesRead), this.state, 'soft', opts, from);
    if (d === undefined) return 'more';
    return this.commit(store, d, opts) ? 'blocked' : 'committed';
  }

  /** Commits a piece decoded from the current state; true when the buffer took only part of it (blocked). */
  private commit(store: Store, d: Decoded, opts: CommitOptions): boolean {
    const before = this.committed;
    let r;
    try {
      // A failed commit (full disk, a lock held too long) changes nothing here: the next read starts over from the
      // committed state.
      this.identity.reset();
      r = commitDecoded(store, d, this.src(), opts);
    } finally {
      this.decoder.release(d);
    }
    this.identity.accept();
    this.committed = r.checkpoint;
    if (r.events > 0) this.bytesPerEvent = Math.max(16, (r.checkpoint - before) / r.events);
    this.state = r.blocked ? lineStartAt(r.checkpoint) : d.state;
    return r.blocked;
  }

  private decode(bytes: Buffer, state: ReaderState, eof: 'no' | 'soft', opts: CommitOptions, from: number): Promise<Decoded | undefined> {
    // The marks of a checkpoint come from these bytes, hashed before the decoder takes them (the file may be
    // truncated or rewritten before the commit; hashing it then would give another file's bytes, or none).
    this.identity.read(this.handle.fd, from, bytes);
    // Entries without a time get the time the file was first seen: reading the same bytes again gives the same events.
    return this.decoder.decode({ bytes, state, eof, sourceId: this.record.head_hash, fallbackTimeMs: this.record.first_seen_ms ?? opts.now() });
  }

  private src() {
    const marks = (offset: number) => this.identity.propose(this.handle.fd, this.committed, offset);
    return { scope: `file:${this.record.id}`, sourceId: this.record.head_hash, checkpoint: { fileId: this.record.id, size: this.size, marks } };
  }

  /** True when the first bytes no longer hash as recorded: truncated or rewritten in place. */
  headChanged(): Promise<boolean> {
    return this.identity.headChanged(this.handle);
  }

  async close(): Promise<void> {
    await this.release();
  }
}
