// A local ingest sink for the api benchmark: decompresses every batch, counts records, answers 200.
import { createServer } from 'node:http';
import { gunzip } from 'node:zlib';

export async function startSink() {
  let records = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      gunzip(Buffer.concat(chunks), (err, body) => {
        if (err) { res.writeHead(400).end(); return; }
        requests++;
        records += JSON.parse(body.toString()).length;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    take: () => { const r = { records, requests }; records = 0; requests = 0; return r; },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}
