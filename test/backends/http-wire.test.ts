// The ingest client's HTTP/1.1 wire format: request heads, and replies parsed whatever pieces they arrive in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestHead, ResponseParser, WireError, type WireReply } from '../../src/backends/http-wire.js';

/** Feeds `bytes` cut at `cuts`; the reply, or the error, or 'more' when it is not whole at the end. */
function parse(bytes: Buffer, cuts: number[] = [], noBody = false, closeAtEnd = false): WireReply | WireError | 'more' {
  const p = new ResponseParser(noBody);
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  try {
    for (const to of [...at, bytes.length]) {
      const r = p.feed(bytes.subarray(from, to));
      from = to;
      if (r) return r;
    }
    return closeAtEnd ? p.end() : 'more';
  } catch (err) {
    if (err instanceof WireError) return err;
    throw err;
  }
}

const b = (s: string) => Buffer.from(s, 'latin1');

describe('requestHead', () => {
  it('writes the request line, Host, the headers, Content-Length for a body and keep-alive', () => {
    const head = requestHead('POST', new URL('http://127.0.0.1:8080/ingest?x=1'), { 'X-API-KEY': 'k', 'Content-Encoding': 'gzip' }, 12);
    expect(head.toString('latin1')).toBe(
      'POST /ingest?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-API-KEY: k\r\nContent-Encoding: gzip\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\n');
    expect(requestHead('HEAD', new URL('https://ingest.amberflo.io/ingest'), {}, undefined).toString('latin1'))
      .toBe('HEAD /ingest HTTP/1.1\r\nHost: ingest.amberflo.io\r\nConnection: keep-alive\r\n\r\n');
  });

  it('refuses a header value that would end its line, without showing the value (it may be a key)', () => {
    const secret = 'afl-secret\r\nX-Evil: 1';
    let message = '';
    try { requestHead('POST', new URL('http://127.0.0.1/'), { 'X-API-KEY': secret }, 0); } catch (err) { message = (err as Error).message; }
    expect(message).toMatch(/invalid character in header "X-API-KEY"/);
    expect(message).not.toContain('afl-secret');
  });
});

describe('ResponseParser', () => {
  const lengthReply = b('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}');
  const chunkedReply = b('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\n{"a":\r\n6\r\n"b c"}\r\n0\r\nX-Trailer: t\r\n\r\n');
  const continued = b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}');

  it('reads a Content-Length body, a chunked body with extensions and trailers, and skips 1xx answers', () => {
    const r = parse(lengthReply) as WireReply;
    expect([r.status, r.headers['content-type'], r.body.toString(), r.keepAlive]).toEqual([200, 'application/json', '{"ok":true}', true]);
    const c = parse(chunkedReply) as WireReply;
    expect([c.status, c.headers['retry-after'], c.body.toString(), c.keepAlive]).toEqual([429, '2', '{"a":"b c"}', true]);
    expect((parse(continued) as WireReply).status).toBe(202);
  });

  it('gives the same reply whatever pieces the bytes arrive in (property)', () => {
    fc.assert(fc.property(fc.constantFrom(lengthReply, chunkedReply, continued), fc.array(fc.nat(), { maxLength: 12 }), (bytes, cuts) => {
      const whole = parse(bytes) as WireReply;
      const cut = parse(bytes, cuts) as WireReply;
      expect({ ...cut, body: cut.body.toString() }).toEqual({ ...whole, body: whole.body.toString() });
    }), { numRuns: 300 });
  });

  it('waits for the whole body, and a close before it is a hang-up (ECONNRESET)', () => {
    expect(parse(lengthReply.subarray(0, lengthReply.length - 1))).toBe('more');
    const hung = parse(lengthReply.subarray(0, lengthReply.length - 1), [], false, true) as WireError;
    expect([hung.message, hung.code]).toEqual(['socket hang up', 'ECONNRESET']);
    expect((parse(b('HTTP/1.1 200 OK\r\nContent-Le'), [], false, true) as WireError).code).toBe('ECONNRESET');
  });

  it('reads a body without length to the close, and that connection is not used again', () => {
    const bytes = b('HTTP/1.1 200 OK\r\n\r\nall of it');
    expect(parse(bytes)).toBe('more');
    const r = parse(bytes, [3, 20], false, true) as WireReply;
    expect([r.body.toString(), r.keepAlive]).toEqual(['all of it', false]);
  });

  it('a HEAD reply, 204 and 304 have no body whatever their Content-Length says', () => {
    expect((parse(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'), [], true) as WireReply).body.length).toBe(0);
    expect((parse(b('HTTP/1.1 204 No Content\r\n\r\n')) as WireReply).keepAlive).toBe(true);
    expect((parse(b('HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n')) as WireReply).status).toBe(304);
  });

  it('says when the connection ends: Connection: close, HTTP/1.0, or bytes after the reply', () => {
    expect((parse(b('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')) as WireReply).keepAlive).toBe(false);
    expect((parse(b('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')) as WireReply).keepAlive).toBe(false);
    expect((parse(b('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n')) as WireReply).keepAlive).toBe(true);
    expect((parse(b('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200')) as WireReply).keepAlive).toBe(false);
  });

  it('keeps repeated headers, lower-cased', () => {
    const r = parse(b('HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSET-COOKIE: b=2\r\nContent-Length: 0\r\n\r\n')) as WireReply;
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('fails on what is not an HTTP/1.x reply, with a code, never a crash', () => {
    const bad = ['HTTP/2 200\r\n\r\n', 'hello\r\n\r\n', 'HTTP/1.1 200 OK\r\nno colon\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n'];
    for (const text of bad) {
      const r = parse(b(text));
      expect(r, text).toBeInstanceOf(WireError);
      expect((r as WireError).code, text).toMatch(/^HPE_/);
    }
    const huge = parse(Buffer.alloc(70_000, 0x41));
    expect((huge as WireError).code).toBe('HPE_HEADER_OVERFLOW');
  });
});
