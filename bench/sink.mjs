// A local ingest sink for the benchmarks: decompresses every batch and counts its records (a byte scan, no JSON
// parse), optionally noting when each uniqueId first arrived (follow latency), or never answering (a stalled backend);
// it can answer each request after a delay (a distant Amberflo) and refuse with 429 above a rate (a rate limit).
// It shares the machine's cores with what is measured, so it speaks just enough HTTP/1.1 for a keep-alive client that
// sends Content-Length bodies (node:http's server cost ~3× as much CPU per request, all of it taken from aflo-tail).
import { createServer } from 'node:net';
import { gunzipSync } from 'node:zlib';

const METER = Buffer.from('"meterApiName"');
const ID = Buffer.from('"uniqueId":"');
const HEAD_END = Buffer.from('\r\n\r\n');
const answer = (status, body) => Buffer.from(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
const OK = answer('200 OK', '{}');
const OK_EMPTY = answer('200 OK', '');
const BAD = answer('400 Bad Request', '{"message":"body is not gzip"}');
const UNSUPPORTED = answer('411 Length Required', '{}');
const LIMITED = Buffer.from('HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 1\r\nContent-Length: 2\r\n\r\n{}');

export async function startSink() {
  let records = 0;
  let requests = 0;
  let mode = 'count';
  /** Milliseconds before each answer; requests per second taken (0: any), the second counted, and 429s given. */
  let delayMs = 0;
  let rateLimit = 0;
  let second = 0;
  let inSecond = 0;
  let limited = 0;
  /** uniqueId → first arrival (ms since the epoch), in 'latency' mode. */
  let arrivals = new Map();
  const sockets = new Set();

  /** One whole request: its head (request line and headers, latin1) and body. */
  const handle = (head, body, socket) => {
    if (mode === 'stall') return; // no answer: the client gives up after its timeout
    if (!head.startsWith('POST ')) return socket.write(OK_EMPTY);
    const reply = (bytes) => (delayMs > 0 ? setTimeout(() => socket.writable && socket.write(bytes), delayMs) : socket.write(bytes));
    if (rateLimit > 0) {
      const s = Math.floor(Date.now() / 1000);
      if (s !== second) { second = s; inSecond = 0; }
      if (++inSecond > rateLimit) { limited++; return reply(LIMITED); }
    }
    let json;
    try { json = gunzipSync(body); } catch { return socket.write(BAD); }
    const now = Date.now();
    requests++;
    for (let at = json.indexOf(METER); at >= 0; at = json.indexOf(METER, at + METER.length)) records++;
    if (mode === 'latency') {
      for (let at = json.indexOf(ID); at >= 0; at = json.indexOf(ID, at + ID.length)) {
        const id = json.toString('latin1', at + ID.length, json.indexOf(0x22, at + ID.length));
        if (!arrivals.has(id)) arrivals.set(id, now);
      }
    }
    reply(OK);
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let held = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      for (;;) {
        const end = held.indexOf(HEAD_END);
        if (end < 0) return;
        const head = held.toString('latin1', 0, end);
        if (/\r\ntransfer-encoding:/i.test(head)) { socket.end(UNSUPPORTED); return; }
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        const start = end + HEAD_END.length;
        if (held.length < start + length) return;
        const body = held.subarray(start, start + length);
        held = held.subarray(start + length);
        handle(head, body, socket);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    setMode: (m) => { mode = m; },
    /** `delay` ms before each answer; above `rate` requests per second, 429 with Retry-After: 1 (0: none). */
    setNetwork: ({ delay = 0, rate = 0 } = {}) => { delayMs = delay; rateLimit = rate; },
    peekArrivals: () => arrivals.size,
    take: () => { const r = { records, requests, arrivals, limited }; records = 0; requests = 0; limited = 0; arrivals = new Map(); return r; },
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}
