// Reading a file ahead of what is committed: pieces that end at a newline, each decoding (on a thread) from the
// reader state it is guessed to start in; a line longer than a read is read again larger; a wrong guess rewinds.
import type { ReaderState } from '../entries/reader.js';
import type { Decoded } from '../pipeline/decode.js';

/** A piece under way: its bytes' range and the reader state it was decoded from (a guess when it is ahead). */
export interface Piece { from: number; to: number; state: ReaderState; result: Promise<Decoded | undefined> }

/** What reading ahead needs of its file and decoder. */
export interface PieceSource {
  /** Memory to read a piece into (given to the decoder with the piece). */
  alloc(size: number): Buffer;
  /** Reads up to `length` bytes at `at` into `buf`; returns how many. */
  read(buf: Buffer, length: number, at: number): Promise<number>;
  /** Starts decoding `bytes`, read at `from` (they are the decoder's from then on), from `state`. */
  decode(bytes: Buffer, state: ReaderState, from: number): Promise<Decoded | undefined>;
}

export interface ReadAheadOptions {
  /** Pieces decoding at once. */
  depth: number;
  /** The size of a read (a piece is at most this, unless one line is longer). */
  pieceBytes: number;
  /** Lines longer than this are not read whole (the reader skips them, counted as too long). */
  maxLineBytes: number;
}

/** Reading starts at a line: nothing in progress. */
export const lineStartAt = (offset: number): ReaderState => ({ lineStart: offset, skipLen: 0, acc: null });
/** Where reading goes on from a reader state. */
export const resumeOf = (s: ReaderState): number => s.lineStart + s.skipLen;

export class ReadAhead {
  private readonly ahead: Piece[] = [];
  /** Where the next read starts. */
  private at: number;
  /** The reader state the next piece is guessed to start in; undefined when not known until the pieces before commit. */
  private guess: ReaderState | undefined;
  /** The size a line longer than a read is read at next (0: the usual size). */
  private grow = 0;
  /** The end of the file was reached. */
  eof = false;

  constructor(private readonly src: PieceSource, private readonly o: ReadAheadOptions, from: ReaderState) {
    this.at = resumeOf(from);
    this.guess = from;
  }

  /**
   * Reads and starts decoding pieces while fewer than `depth` are under way, the next one's start is known and
   * `budget` bytes last; a piece holds at most `limit()` bytes (about half the buffer's events, so that it can wait
   * for room and go in whole) but is not cut to the budget. Returns what is left of the budget.
   */
  async fill(budget: number, limit: () => number): Promise<number> {
    let left = budget;
    while (!this.eof && this.guess && left > 0 && this.ahead.length < this.o.depth) {
      const size = this.o.pieceBytes;
      const want = Math.max(Math.min(size, 64 << 10), Math.min(size, Math.floor(limit())), this.grow);
      const buf = this.src.alloc(want);
      const bytesRead = await this.src.read(buf, want, this.at);
      if (bytesRead === 0) { this.eof = true; break; }
      const nl = buf.subarray(0, bytesRead).lastIndexOf(10);
      let end = nl + 1;
      if (nl < 0) {
        // No newline: the end of the file for now, or a line longer than a read. Long lines are read whole up to
        // the limit; past it, the reader skips them (counted as too long) without holding them.
        if (bytesRead < want) { this.eof = true; break; }
        if (want <= this.o.maxLineBytes) { this.grow = Math.min(want * 2, this.o.maxLineBytes + 1); continue; }
        end = bytesRead;
      }
      const state = this.guess;
      this.ahead.push({ from: this.at, to: this.at + end, state, result: this.src.decode(buf.subarray(0, end), state, this.at) });
      if (nl >= 0) this.grow = 0;
      this.at += end;
      left -= end;
      // The next piece can be decoded now if it starts a line; a reader holding a multi-line entry is not known yet.
      this.guess = nl >= 0 ? lineStartAt(this.at) : undefined;
      if (bytesRead < want) this.eof = true;
    }
    return left;
  }

  /** Pieces are under way and more could be read: a round that stops here goes on from them. */
  get underWay(): boolean {
    return this.ahead.length > 0 && this.guess !== undefined && !this.eof;
  }

  /** Nothing under way and the next start unknown: reading must go on from the committed state. */
  get stalled(): boolean {
    return this.ahead.length === 0 && this.guess === undefined;
  }

  /** The oldest piece under way. */
  next(): Piece | undefined {
    return this.ahead.shift();
  }

  /** Pieces ahead are dropped and reading goes on from `state` (the committed reader state). */
  rewind(state: ReaderState): void {
    this.ahead.length = 0;
    this.at = resumeOf(state);
    this.guess = state;
    this.eof = false;
  }
}

/** A guessed state holds when the reader really is at the start of that line with nothing in progress (no entry, no
 *  container line being joined). */
export function sameStart(guess: ReaderState, real: ReaderState): boolean {
  return real.acc === null && !real.join && real.skipLen === 0 && guess.acc === null && !guess.join && guess.skipLen === 0 &&
    guess.lineStart === real.lineStart;
}
