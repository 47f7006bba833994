// A local ingest sink for the benchmarks: decompresses every batch and counts its records (a byte scan, no JSON
// parse), optionally noting when each uniqueId first arrived (follow latency), or never answering (a stalled backend).
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

const METER = Buffer.from('"meterApiName"');
const ID = Buffer.from('"uniqueId":"');

export async function startSink() {
  let records = 0;
  let requests = 0;
  let mode = 'count';
  /** uniqueId → first arrival (ms since the epoch), in 'latency' mode. */
  let arrivals = new Map();
  const server = createServer((req, res) => {
    if (mode === 'stall') return; // the request hangs until the client gives up
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try { body = gunzipSync(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)); } catch { res.writeHead(400).end(); return; }
      {
        const now = Date.now();
        requests++;
        for (let at = body.indexOf(METER); at >= 0; at = body.indexOf(METER, at + METER.length)) records++;
        if (mode === 'latency') {
          for (let at = body.indexOf(ID); at >= 0; at = body.indexOf(ID, at + ID.length)) {
            const id = body.toString('latin1', at + ID.length, body.indexOf(0x22, at + ID.length));
            if (!arrivals.has(id)) arrivals.set(id, now);
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    setMode: (m) => { mode = m; },
    peekArrivals: () => arrivals.size,
    take: () => { const r = { records, requests, arrivals }; records = 0; requests = 0; arrivals = new Map(); return r; },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}
