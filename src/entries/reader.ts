// Streaming entry reader: bytes in, LiteLLM entries out with the byte offsets where each starts and ends.
import { abandon, containerLine, copyJoining, joinRecord, type Joining, type JoinSink } from './container-log.js';
import { isPunctuation, newStructure, parseJson, scanStructure, type Structure } from './json-text.js';
import { byteOffset, decode, embeddedEntry, MAX_RECOVERY_TRIES } from './line-text.js';
import { recognise, type Obj } from './recognise.js';

export type SkipReason = 'not_usage' | 'invalid' | 'too_long';

export interface ReaderSink {
  /** One usage entry; `index` tells entries that share a byte range (elements of one JSON array line) apart. */
  entry(slp: Obj, start: number, end: number, index: number): void;
  skip(reason: SkipReason, start: number, end: number): void;
  /**
   * A whole line `bytes[from..to)` starting at `start`, offered before it is decoded: true when the sink took it as
   * one usage entry itself (the native mapper), false to have it read here.
   */
  line?(bytes: Buffer, from: number, to: number, start: number): boolean;
}

type Accumulation = { start: number; parts: string[]; bytes: number; struct: Structure; tooLong: boolean };

/**
 * Where a reader stands between two whole lines, to resume elsewhere (another thread, a later read): the next line
 * starts at `lineStart`; `skipLen` bytes of an over-long line from there were already passed over; `acc` is a
 * multi-line entry begun before; `join` a container log line being joined from partial records (absent: none).
 * Bytes of a partial line are not part of it: they are read again.
 */
export interface ReaderState { lineStart: number; skipLen: number; acc: Accumulation | null; join?: Joining | null }


export class EntryReader {
  private parts: Buffer[] = [];
  private lineStart: number;
  private lineLen = 0;
  private skippingLine = false;
  private acc: Accumulation | null = null;
  private join: Joining | null = null;

  constructor(private readonly maxEntryBytes: number, start: number | ReaderState = 0) {
    if (typeof start === 'number') this.lineStart = start;
    else {
      this.lineStart = start.lineStart;
      // A copy: the reader extends its entry in progress, and the state it came from may be decoded again.
      this.acc = start.acc && { ...start.acc, parts: [...start.acc.parts], struct: { ...start.acc.struct } };
      this.lineLen = start.skipLen;
      this.skippingLine = start.skipLen > 0;
      this.join = copyJoining(start.join ?? null);
    }
  }

  /** Its state after the last whole line (a partial line not being skipped is left out: it is to be read again). */
  get state(): ReaderState {
    return { lineStart: this.lineStart, skipLen: this.skippingLine ? this.lineLen : 0, acc: this.acc, join: this.join };
  }

  /** Everything before this offset is consumed and is not part of an unfinished entry: the checkpoint. */
  get safeOffset(): number {
    return Math.min(this.acc ? this.acc.start : this.lineStart, this.join ? this.join.start : this.lineStart);
  }

  push(chunk: Buffer, sink: ReaderSink): void {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      if (nl < 0) break;
      const start = this.lineStart;
      const end = start + this.lineLen + nl - from + 1;
      if (this.skippingLine || this.lineLen + nl - from > this.maxEntryBytes) {
        this.tooLongLine(start, end, sink);
      } else if (this.lineLen === 0) {
        // The common case, a whole line in this chunk: offered to the sink as bytes, else decoded in place (a view
        // is made only if recovery needs one).
        if (this.acc !== null || this.join !== null || sink.line === undefined || !sink.line(chunk, from, nl, start)) {
          this.physical(decode(chunk, from, nl), start, end, sink, () => chunk.subarray(from, nl));
        }
      } else {
        const line = Buffer.concat([...this.parts, chunk.subarray(from, nl)]);
        this.physical(decode(line, 0, line.length), start, end, sink, () => line);
      }
      this.parts = [];
      this.lineLen = 0;
      this.skippingLine = false;
      this.lineStart = end;
      from = nl + 1;
    }
    const rest = chunk.length - from;
    if (rest === 0) return;
    if (!this.skippingLine && this.lineLen + rest > this.maxEntryBytes) {
      this.skippingLine = true;
      this.parts = [];
    }
    if (!this.skippingLine) this.parts.push(Buffer.from(chunk.subarray(from)));
    this.lineLen += rest;
  }

  /**
   * End of input. An unterminated last line is read when it parses as a whole JSON entry; with `force`
   * (nothing more will ever come) whatever is left is counted as invalid or too long.
   */
  finish(sink: ReaderSink, force: boolean): void {
    // A line still being joined from partial records: its rest may come; for good, it is counted.
    if (this.join !== null && !force) return;
    if (this.lineLen > 0) {
      const start = this.lineStart;
      const end = start + this.lineLen;
      if (this.skippingLine) {
        if (force) this.tooLongLine(start, end, sink);
        else return;
      } else {
        const rest = Buffer.concat(this.parts);
        const text = decode(rest, 0, rest.length).trim();
        const parsed = this.acc ? { ok: false as const } : parseJson(text);
        if (parsed.ok) this.value(parsed.value, start, end, sink);
        else if (!force) return;
        else if (this.acc) this.line(text, start, end, sink);
        else sink.skip('invalid', start, end);
      }
      this.parts = [];
      this.lineLen = 0;
      this.skippingLine = false;
      this.lineStart = end;
    }
    if (force && this.join) {
      const j = this.join;
      this.join = null;
      abandon(j, this.lineStart, this.joinSink(sink));
    }
    if (force && this.acc) {
      sink.skip(this.acc.tooLong ? 'too_long' : 'invalid', this.acc.start, this.lineStart);
      this.acc = null;
    }
  }

  /** A line as it is in the input: a container log record is unwrapped (and joined) first. */
  private physical(text: string, start: number, end: number, sink: ReaderSink, raw?: () => Buffer): void {
    const rec = containerLine(text);
    if (rec === undefined) {
      if (this.join !== null) this.giveUpJoin(start, sink);
      return this.line(text, start, end, sink, raw);
    }
    this.join = joinRecord(this.join, rec, start, end, this.maxEntryBytes, this.joinSink(sink));
  }

  private joinSink(sink: ReaderSink): JoinSink {
    return { line: (text, s, e) => this.line(text, s, e, sink), skip: (reason, s, e) => sink.skip(reason, s, e) };
  }

  private giveUpJoin(at: number, sink: ReaderSink): void {
    const j = this.join!;
    this.join = null;
    abandon(j, at, this.joinSink(sink));
  }

  private tooLongLine(start: number, end: number, sink: ReaderSink): void {
    if (this.join !== null) this.giveUpJoin(start, sink);
    if (this.acc) {
      sink.skip(this.acc.tooLong ? 'too_long' : 'invalid', this.acc.start, start);
      this.acc = null;
    }
    sink.skip('too_long', start, end);
  }

  private line(text: string, start: number, end: number, sink: ReaderSink, raw?: () => Buffer): void {
    if (this.acc) return this.continueAccumulation(text, start, end, sink, raw);
    const trimmed = text.trim();
    if (trimmed === '' || isPunctuation(trimmed)) return;
    const first = trimmed.charCodeAt(0);
    if (first === 0x7b || first === 0x5b) {
      const parsed = parseJson(trimmed);
      if (parsed.ok) return this.value(parsed.value, start, end, sink);
      const piece = trimmed.replace(/^\[/, '').replace(/[,\]]+$/, '');
      if (piece !== trimmed && piece.startsWith('{')) {
        const again = parseJson(piece);
        if (again.ok) return this.value(again.value, start, end, sink);
      }
      const s = scanStructure(newStructure(), trimmed);
      if (!s.broken && s.closedAt < 0 && s.depth > 0 && !s.inString && trimmed.indexOf('{"', 1) < 0) {
        this.acc = { start, parts: [trimmed], bytes: trimmed.length, struct: s, tooLong: false };
        return;
      }
      return this.recover(text, start, end, sink, raw);
    }
    const at = trimmed.indexOf('{');
    if (at > 0) {
      const parsed = parseJson(trimmed.slice(at));
      if (parsed.ok && !Array.isArray(parsed.value)) return this.value(parsed.value, start, end, sink);
    }
    sink.skip('not_usage', start, end);
  }

  /** A crashed writer's fragment followed by a complete entry on the same line: read the entry, count the fragment. */
  private recover(text: string, start: number, end: number, sink: ReaderSink, raw?: () => Buffer): void {
    let tries = 0;
    for (let i = text.indexOf('{', 1); i > 0 && tries < MAX_RECOVERY_TRIES; i = text.indexOf('{', i + 1), tries++) {
      const parsed = parseJson(text.slice(i).trim());
      if (!parsed.ok) continue;
      const at = start + byteOffset(raw, text, i, end - start);
      sink.skip('invalid', start, at);
      return this.value(parsed.value, at, end, sink);
    }
    const trimmed = text.trimEnd();
    const last = trimmed.charCodeAt(trimmed.length - 1);
    if ((last === 0x7b || last === 0x5b) && trimmed.length > 1) {
      const at = start + byteOffset(raw, text, trimmed.length - 1, end - start);
      sink.skip('invalid', start, at);
      const s = scanStructure(newStructure(), trimmed.slice(-1));
      this.acc = { start: at, parts: [trimmed.slice(-1)], bytes: 1, struct: s, tooLong: false };
      return;
    }
    sink.skip('invalid', start, end);
  }

  private continueAccumulation(text: string, start: number, end: number, sink: ReaderSink, raw?: () => Buffer): void {
    const acc = this.acc!;
    const first = text.charCodeAt(0);
    const startsAtColumn0 = text.length > 0 && !/^\s/.test(text) && first !== 0x7d && first !== 0x5d;
    if (startsAtColumn0) {
      // Inner lines of pretty-printed JSON are indented: an unindented line means the entry was cut short.
      this.acc = null;
      sink.skip(acc.tooLong ? 'too_long' : 'invalid', acc.start, start);
      return this.line(text, start, end, sink, raw);
    }
    const embedded = text.includes('{"') ? embeddedEntry(text) : undefined;
    if (embedded) {
      // A crashed writer's pretty-printed fragment, then a complete compact entry on the same line.
      this.acc = null;
      const at = start + byteOffset(raw, text, embedded.at, end - start);
      sink.skip('invalid', acc.start, at);
      return this.value(embedded.value, at, end, sink);
    }
    scanStructure(acc.struct, text);
    if (acc.struct.broken) {
      this.acc = null;
      return sink.skip('invalid', acc.start, end);
    }
    if (acc.struct.closedAt < 0) {
      acc.bytes += text.length + 1;
      if (acc.bytes > this.maxEntryBytes) {
        acc.tooLong = true;
        acc.parts = [];
      } else acc.parts.push(text);
      return;
    }
    const closedAt = acc.struct.closedAt;
    this.acc = null;
    if (acc.tooLong) sink.skip('too_long', acc.start, end);
    else {
      acc.parts.push(text.slice(0, closedAt));
      const parsed = parseJson(acc.parts.join('\n'));
      if (parsed.ok) this.value(parsed.value, acc.start, end, sink);
      else sink.skip('invalid', acc.start, end);
    }
    const rest = text.slice(closedAt).trim();
    if (rest !== '' && !isPunctuation(rest)) this.line(rest, end, end, sink);
  }

  private value(v: unknown, start: number, end: number, sink: ReaderSink): void {
    if (!Array.isArray(v)) {
      const slp = recognise(v);
      return slp ? sink.entry(slp, start, end, 0) : sink.skip('not_usage', start, end);
    }
    if (v.length === 0) return sink.skip('not_usage', start, end);
    for (let i = 0; i < v.length; i++) {
      const slp = recognise(v[i]);
      if (slp) sink.entry(slp, start, end, i);
      else sink.skip('not_usage', start, end);
    }
  }
}
