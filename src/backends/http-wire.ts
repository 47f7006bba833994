// HTTP/1.1 on the wire for the ingest client: a request's head, and an incremental parser of one response
// (Content-Length, chunked or close-delimited body; 1xx answers skipped) that says whether the connection is reusable.

export type HeaderValues = Record<string, string | string[]>;

export interface WireReply {
  status: number;
  headers: HeaderValues;
  body: Buffer;
  /** The connection may carry another request. */
  keepAlive: boolean;
}

/** A reply the peer broke off or garbled; `code` as node:http names the same cases. */
export class WireError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

const MAX_HEAD = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
// A header value or name must not end the line it is on (request smuggling); nothing is echoed, values may be secrets.
const BAD_CHAR = /[\r\n\0]/;

/** The request line and headers (`Host`, `Content-Length` for a body, keep-alive added), latin1 as HTTP has it. */
export function requestHead(method: string, url: URL, headers: Record<string, string | number>, bodyLength: number | undefined): Buffer {
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    const v = String(value);
    if (BAD_CHAR.test(name) || BAD_CHAR.test(v)) throw new TypeError(`invalid character in header ${JSON.stringify(name.replace(BAD_CHAR, ''))}`);
    head += `${name}: ${v}\r\n`;
  }
  if (bodyLength !== undefined) head += `Content-Length: ${bodyLength}\r\n`;
  return Buffer.from(`${head}Connection: keep-alive\r\n\r\n`, 'latin1');
}

type Framing = { kind: 'length'; left: number } | { kind: 'chunked'; left: number; stage: 'size' | 'data' | 'crlf' | 'trailer' } | { kind: 'close' };

/** Parses one response fed in pieces; `feed` returns it once whole. `noBody`: the request was HEAD. */
export class ResponseParser {
  private buf: Buffer = Buffer.alloc(0);
  private status = 0;
  private headers: HeaderValues = {};
  private keepAlive = true;
  private framing: Framing | undefined;
  private readonly body: Buffer[] = [];

  constructor(private readonly noBody: boolean) {}

  /** Takes received bytes: the whole reply once complete, undefined while more are needed; throws WireError. */
  feed(chunk: Buffer): WireReply | undefined {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (!this.framing) {
        const end = this.buf.indexOf(HEAD_END);
        if (end < 0) {
          if (this.buf.length > MAX_HEAD) throw new WireError('response head too large', 'HPE_HEADER_OVERFLOW');
          return undefined;
        }
        const informational = this.head(this.buf.toString('latin1', 0, end));
        this.buf = this.buf.subarray(end + 4);
        if (informational) continue;
      }
      if (!this.bodyBytes()) return undefined;
      // Bytes nobody asked for after the reply: the connection is not trusted again.
      return this.reply(this.keepAlive && this.buf.length === 0);
    }
  }

  /** The peer closed the connection: the reply if its body ran to the close, otherwise a hang-up. */
  end(): WireReply {
    if (this.framing?.kind === 'close') return this.reply(false);
    throw new WireError('socket hang up', 'ECONNRESET');
  }

  /** Reads a head; true for a 1xx answer (another head follows). */
  private head(text: string): boolean {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0]);
    if (!m) throw new WireError('not an HTTP/1.x response', 'HPE_INVALID_CONSTANT');
    const status = Number(m[2]);
    if (status >= 100 && status < 200) return true;
    const headers: HeaderValues = {};
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      if (colon <= 0) throw new WireError('malformed response header', 'HPE_INVALID_HEADER_TOKEN');
      const name = lines[i].slice(0, colon).trim().toLowerCase();
      const value = lines[i].slice(colon + 1).trim();
      const had = headers[name];
      headers[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
    }
    this.status = status;
    this.headers = headers;
    const connection = String(headers.connection ?? '').toLowerCase();
    this.keepAlive = m[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    const te = String(headers['transfer-encoding'] ?? '').toLowerCase();
    const length = headers['content-length'];
    if (this.noBody || status === 204 || status === 304) this.framing = { kind: 'length', left: 0 };
    else if (te.includes('chunked')) this.framing = { kind: 'chunked', left: 0, stage: 'size' };
    else if (length !== undefined) {
      const n = Array.isArray(length) ? NaN : Number(length);
      if (!/^\d+$/.test(String(length)) || !Number.isSafeInteger(n)) throw new WireError('bad Content-Length', 'HPE_INVALID_CONTENT_LENGTH');
      this.framing = { kind: 'length', left: n };
    } else {
      this.framing = { kind: 'close' };
      this.keepAlive = false;
    }
    return false;
  }

  /** Moves body bytes out of the buffer; true once the body is whole. */
  private bodyBytes(): boolean {
    const f = this.framing!;
    if (f.kind === 'close') {
      this.body.push(this.buf);
      this.buf = Buffer.alloc(0);
      return false;
    }
    if (f.kind === 'length') {
      const take = Math.min(f.left, this.buf.length);
      if (take > 0) this.body.push(this.buf.subarray(0, take));
      this.buf = this.buf.subarray(take);
      f.left -= take;
      return f.left === 0;
    }
    for (;;) {
      if (f.stage === 'data') {
        const take = Math.min(f.left, this.buf.length);
        if (take > 0) this.body.push(this.buf.subarray(0, take));
        this.buf = this.buf.subarray(take);
        f.left -= take;
        if (f.left > 0) return false;
        f.stage = 'crlf';
        continue;
      }
      const eol = this.buf.indexOf(CRLF);
      if (eol < 0) {
        if (this.buf.length > MAX_HEAD) throw new WireError('chunk line too long', 'HPE_CHUNK_SIZE');
        return false;
      }
      const line = this.buf.toString('latin1', 0, eol);
      this.buf = this.buf.subarray(eol + 2);
      if (f.stage === 'crlf') {
        if (line !== '') throw new WireError('malformed chunk', 'HPE_STRICT');
        f.stage = 'size';
      } else if (f.stage === 'size') {
        const size = line.split(';')[0].trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(size)) throw new WireError('bad chunk size', 'HPE_INVALID_CHUNK_SIZE');
        f.left = parseInt(size, 16);
        f.stage = f.left === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        return true;
      }
    }
  }

  private reply(keepAlive: boolean): WireReply {
    return { status: this.status, headers: this.headers, body: Buffer.concat(this.body), keepAlive };
  }
}
