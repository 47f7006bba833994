// Writes one entry's event records as bytes. Records of an entry differ only in meter, value, time and token
// fields, so each shared run of bytes is encoded once, in the first record that has it, and copied after.
import { RecordBuffer } from './record-buffer.js';

/** `text(name)` encoded once per name, then served from memory. */
function encodedOnce(text: (name: string) => string): (name: string) => Buffer {
  const cache = new Map<string, Buffer>();
  return (name) => {
    let lit = cache.get(name);
    if (lit === undefined) cache.set(name, (lit = Buffer.from(text(name))));
    return lit;
  };
}

/** `"meterApiName":"<name>","meterValue":` */
const meterLiteral = encodedOnce((name) => '"meterApiName":' + JSON.stringify(name) + ',"meterValue":');

export type TokenType = 'in' | 'out';
export type CacheKind = 'r' | 'c' | 'n';
const tokenFields = (close: string) => {
  const f = (t: TokenType, c: CacheKind) => Buffer.from(`"type":"${t}","cache":"${c}"${close}`);
  return { in: { r: f('in', 'r'), c: f('in', 'c'), n: f('in', 'n') }, out: { r: f('out', 'r'), c: f('out', 'c'), n: f('out', 'n') } };
};
/** Token fields, and token fields that end the record (no error code follows). */
const TOKEN = tokenFields('');
const TOKEN_END = tokenFields('}}\n');
const TIME_KEY = Buffer.from(',"meterTimeInMillis":');
const DIMENSIONS_KEY = Buffer.from(',"dimensions":{');
const COMMA = Buffer.from(',');
const RECORD_END = Buffer.from('}}\n');
const ERROR_KEY = Buffer.from(',"error_code":');

/** `,"<key>":` for a dimension key (the comma is left out for the first). */
const keyLiteral = encodedOnce((key) => ',' + JSON.stringify(key) + ':');

// The shared runs: the head; time + dimensions up to the token fields, at the start or end time; the same ending
// the record, for meters without token fields; the error code ending a token record; the dimensions alone.
const HEAD = 0, TOKEN_AT_START = 1, TOKEN_AT_END = 2, PLAIN_AT_START = 3, PLAIN_AT_END = 4, ERROR_END = 5, DIMENSIONS = 6;

/**
 * Where an entry's shared runs are written before they are copied into records. A buffer of their own: TypedArray
 * `set` from another buffer is a plain memcpy (~20 ns); within one buffer it takes V8's slow overlapping path.
 */
const scratch = new RecordBuffer(1 << 14);

export class EntryRecords {
  /** Each shared run once written: a view of its bytes (still right if the buffer grows: they never change). */
  private readonly runs = new Array<Buffer | undefined>(7).fill(undefined);

  /**
   * `head`: `{"uniqueId":…,` (and customerId); `pairs`: the shared dimensions (key, value, …); `errorCode`: a
   * failure's code; `startMs` / `endMs`: the two times records are stamped with.
   */
  constructor(private readonly out: RecordBuffer, private readonly head: string, private readonly pairs: string[],
    private readonly errorCode: string | undefined, private readonly startMs: number, private readonly endMs: number) {
    scratch.reset();
  }

  /** A token record: dimensions, then type and cache, then the error code if any. */
  token(meter: string, value: number, atStart: boolean, type: TokenType, cache: CacheKind): void {
    this.begin(meter, value);
    this.run(atStart ? TOKEN_AT_START : TOKEN_AT_END);
    if (this.errorCode === undefined) this.out.put(TOKEN_END[type][cache]);
    else {
      this.out.put(TOKEN[type][cache]);
      this.run(ERROR_END);
    }
    this.out.recordEnded();
  }

  /** A record whose dimensions are the shared ones and the error code (requests, seconds, media). */
  plain(meter: string, value: number, atStart: boolean): void {
    this.begin(meter, value);
    this.run(atStart ? PLAIN_AT_START : PLAIN_AT_END);
    this.out.recordEnded();
  }

  private begin(meter: string, value: number): void {
    this.run(HEAD);
    this.out.put(meterLiteral(meter));
    this.out.number(value);
  }

  /** Shared run `i` put into the record: encoded (into the scratch buffer) the first time it is needed. */
  private run(i: number): void {
    this.out.put(this.runs[i] ?? this.encode(i));
  }

  private encode(i: number): Buffer {
    const w = scratch;
    const timed = i !== HEAD && i !== DIMENSIONS && i !== ERROR_END;
    // The dimensions are encoded first, on their own, so that a run holding them does not hold them twice.
    const dims = timed ? this.runs[DIMENSIONS] ?? this.encode(DIMENSIONS) : undefined;
    const start = w.byteLength;
    if (i === HEAD) w.text(this.head, false);
    else if (i === DIMENSIONS) this.dimensions();
    else if (i === ERROR_END) {
      this.error();
      w.put(RECORD_END);
    } else {
      w.put(TIME_KEY);
      w.number(i === TOKEN_AT_START || i === PLAIN_AT_START ? this.startMs : this.endMs);
      w.put(DIMENSIONS_KEY);
      w.put(dims!);
      if (i === TOKEN_AT_START || i === TOKEN_AT_END) {
        if (this.pairs.length > 0) w.put(COMMA);
      } else {
        this.error();
        w.put(RECORD_END);
      }
    }
    return (this.runs[i] = w.view(start, w.byteLength));
  }

  private dimensions(): void {
    const p = this.pairs;
    for (let k = 0; k < p.length; k += 2) {
      const lit = keyLiteral(p[k]);
      if (k === 0) scratch.putFrom(lit, 1);
      else scratch.put(lit);
      scratch.jsonString(p[k + 1]);
    }
  }

  /** `,"error_code":"…"` after the shared dimensions (its comma left out when there are none). */
  private error(): void {
    if (this.errorCode === undefined) return;
    if (this.pairs.length > 0) scratch.put(ERROR_KEY);
    else scratch.putFrom(ERROR_KEY, 1);
    scratch.jsonString(this.errorCode);
  }
}
