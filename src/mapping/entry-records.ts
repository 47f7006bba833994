// Writes one entry's event records as bytes. Records of an entry differ only in meter, value, time and token
// fields, so each shared run of bytes is encoded once, in the first record that has it, and copied from there after.
import { RecordBuffer } from './record-buffer.js';
import { ERROR_CODE, TOKEN_CACHE, TOKEN_TYPE } from './vocabulary.js';

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
  const f = (t: TokenType, c: CacheKind) => Buffer.from(`"${TOKEN_TYPE}":"${t}","${TOKEN_CACHE}":"${c}"${close}`);
  return { in: { r: f('in', 'r'), c: f('in', 'c'), n: f('in', 'n') }, out: { r: f('out', 'r'), c: f('out', 'c'), n: f('out', 'n') } };
};
/** Token fields, and token fields that end the record (no error code follows). */
const TOKEN = tokenFields('');
const TOKEN_END = tokenFields('}}\n');
const TIME_KEY = Buffer.from(',"meterTimeInMillis":');
const DIMENSIONS_KEY = Buffer.from(',"dimensions":{');
const COMMA = Buffer.from(',');
const RECORD_END = Buffer.from('}}\n');
const ERROR_KEY = Buffer.from(`,"${ERROR_CODE}":`);

/** `,"<key>":` for a dimension key (the comma is left out for the first). */
const keyLiteral = encodedOnce((key) => ',' + JSON.stringify(key) + ':');

// The shared runs: the head; time + dimensions up to the token fields, at the start or end time; the same ending
// the record, for meters without token fields; the error code ending a token record; the dimensions alone.
const HEAD = 0, TOKEN_AT_START = 1, TOKEN_AT_END = 2, PLAIN_AT_START = 3, PLAIN_AT_END = 4, ERROR_END = 5, DIMENSIONS = 6;
const RUNS = 7;

export class EntryRecords {
  /**
   * Where each shared run was first written in the output: start at 2i, end at 2i+1 (-1: not yet). Later records
   * copy it from there within the buffer (a memmove; no view of the bytes is made).
   */
  private readonly runs = new Array<number>(2 * RUNS).fill(-1);

  /**
   * `head`: `{"uniqueId":…,` (and customerId); `pairs`: the shared dimensions (key, value, …); `errorCode`: a
   * failure's code; `startMs` / `endMs`: the two times records are stamped with.
   */
  constructor(private readonly out: RecordBuffer, private readonly head: string, private readonly pairs: string[],
    private readonly errorCode: string | undefined, private readonly startMs: number, private readonly endMs: number) {}

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

  /** Shared run `i` put into the record: copied from where it was first written, or written now. */
  private run(i: number): void {
    const from = this.runs[2 * i];
    if (from >= 0) this.out.repeat(from, this.runs[2 * i + 1]);
    else this.write(i);
  }

  private write(i: number): void {
    const w = this.out;
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
      this.run(DIMENSIONS);
      if (i === TOKEN_AT_START || i === TOKEN_AT_END) {
        if (this.pairs.length > 0) w.put(COMMA);
      } else {
        this.error();
        w.put(RECORD_END);
      }
    }
    this.runs[2 * i] = start;
    this.runs[2 * i + 1] = w.byteLength;
  }

  private dimensions(): void {
    const p = this.pairs;
    for (let k = 0; k < p.length; k += 2) {
      const lit = keyLiteral(p[k]);
      if (k === 0) this.out.putFrom(lit, 1);
      else this.out.put(lit);
      this.out.jsonString(p[k + 1]);
    }
  }

  /** `,"error_code":"…"` after the shared dimensions (its comma left out when there are none). */
  private error(): void {
    if (this.errorCode === undefined) return;
    if (this.pairs.length > 0) this.out.put(ERROR_KEY);
    else this.out.putFrom(ERROR_KEY, 1);
    this.out.jsonString(this.errorCode);
  }
}
