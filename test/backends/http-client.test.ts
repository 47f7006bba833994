// The ingest client against raw servers on 127.0.0.1: kept-alive connections, their limit, replies in any framing,
// hang-ups, timeouts, aborts, TLS, and idle connections that neither hold the process nor outlive the server's wait.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/backends/http-client.js';

const TLS = join(import.meta.dirname, '../fixtures/tls');
const never = new AbortController().signal;
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}';

interface Raw { url: string; connections: number; open: Set<Socket>; requests: string[]; server: Server }

/** A server that hands each whole request (head + Content-Length body) to `answer` with its socket. */
async function raw(answer: (socket: Socket, request: string, n: number) => void): Promise<Raw> {
  const r: Raw = { url: '', connections: 0, open: new Set(), requests: [], server: undefined as unknown as Server };
  r.server = createServer((socket) => {
    r.connections++;
    r.open.add(socket);
    socket.on('close', () => r.open.delete(socket));
    socket.on('error', () => undefined);
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const request = buf.slice(0, end + 4 + length);
        buf = buf.slice(end + 4 + length);
        r.requests.push(request);
        answer(socket, request, r.requests.length);
      }
    });
  });
  await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/ingest`;
  servers.push(r.server);
  return r;
}

const servers: { close: () => void; closeAllConnections?: () => void }[] = [];
const clients: HttpClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) { s.closeAllConnections?.(); s.close(); }
});
const client = (url: string, max = 4, ca?: Buffer) => { const c = new HttpClient(url, max, { ca }); clients.push(c); return c; };
const post = (c: HttpClient, body = '[1]', timeoutMs = 2000, signal = never) =>
  c.send('POST', { 'Content-Type': 'application/json' }, Buffer.from(body), signal, timeoutMs);
const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error('resolved'); }, (e: Error & { code?: string }) => e);

describe('HttpClient', () => {
  it('sends the request whole and keeps one connection alive for the next ones', async () => {
    const s = await raw((socket) => socket.write(OK));
    const c = client(s.url);
    for (let i = 0; i < 3; i++) expect(await post(c, `[${i}]`)).toMatchObject({ status: 200, text: '{}' });
    expect(s.connections).toBe(1);
    expect(s.requests[2]).toMatch(/^POST \/ingest HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\nContent-Type: application\/json\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n\[2\]$/);
  });

  it('opens at most maxSockets connections; the other requests wait for one', async () => {
    const s = await raw((socket) => setTimeout(() => socket.write(OK), 30));
    const c = client(s.url, 2);
    const replies = await Promise.all(Array.from({ length: 7 }, (_, i) => post(c, `[${i}]`)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(s.connections).toBe(2);
    expect(s.requests).toHaveLength(7);
  });

  it('reads chunked replies sent a byte at a time, and headers such as Retry-After', async () => {
    const reply = 'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n';
    const s = await raw((socket) => { const next = (i: number) => i < reply.length && (socket.write(reply[i]), setImmediate(() => next(i + 1))); next(0); });
    const r = await post(client(s.url));
    expect([r.status, r.headers['retry-after'], r.text]).toEqual([429, '3', '{"a":1}']);
  });

  it('a reply saying Connection: close, or ending at the close, is read whole; the next request opens a new connection', async () => {
    const s = await raw((socket, _req, n) => {
      if (n === 1) socket.write('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy');
      else socket.end('HTTP/1.1 200 OK\r\n\r\nto the end');
    });
    const c = client(s.url);
    expect(await post(c)).toMatchObject({ status: 503, text: 'busy' });
    expect(await post(c)).toMatchObject({ status: 200, text: 'to the end' });
    expect(await post(c)).toMatchObject({ status: 200 });
    expect(s.connections).toBe(3);
  });

  it('a connection dropped before the reply is ECONNRESET; a refused one ECONNREFUSED; garbage an HPE_ code', async () => {
    const s = await raw((socket, _req, n) => (n === 1 ? socket.destroy() : n === 2 ? socket.end('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}') : socket.write('SSH-2.0\r\n\r\n')));
    const c = client(s.url);
    expect((await errorOf(post(c))).code).toBe('ECONNRESET');
    expect((await errorOf(post(c))).code).toBe('ECONNRESET');
    expect((await errorOf(post(c))).code).toMatch(/^HPE_/);
    const port = (s.server.address() as AddressInfo).port;
    await new Promise((resolve) => s.server.close(resolve));
    for (const sock of s.open) sock.destroy();
    expect((await errorOf(post(client(`http://127.0.0.1:${port}/ingest`)))).code).toBe('ECONNREFUSED');
  });

  it('times out an answer that never comes, aborts on the signal, and the connection after either works', async () => {
    const s = await raw((socket, _req, n) => (n <= 2 ? undefined : socket.write(OK)));
    const c = client(s.url, 1);
    expect((await errorOf(post(c, '[1]', 100))).name).toBe('TimeoutError');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    expect((await errorOf(post(c, '[2]', 5000, ac.signal))).name).toBe('AbortError');
    expect(await post(c)).toMatchObject({ status: 200 });
    expect(s.connections).toBe(3);
  });

  it('a request timed out while waiting for a connection leaves the connection to the next one', async () => {
    const s = await raw((socket) => setTimeout(() => socket.write(OK), 150));
    const c = client(s.url, 1);
    const first = post(c, '[1]', 2000);
    expect((await errorOf(post(c, '[2]', 50))).name).toBe('TimeoutError');
    expect((await first).status).toBe(200);
    expect((await post(c, '[3]')).status).toBe(200);
    expect(s.connections).toBe(1);
    expect(s.requests).toHaveLength(2);
  });

  it('a kept-alive connection the server closes while idle is not used again', async () => {
    const s = await raw((socket) => { socket.write(OK); setTimeout(() => socket.end(), 20); });
    const c = client(s.url, 1);
    expect((await post(c)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await post(c)).status).toBe(200);
    expect(s.connections).toBe(2);
  });

  it('HEAD replies end at their head', async () => {
    const s = await raw((socket) => socket.write('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 30\r\n\r\n'));
    const r = await client(s.url).send('HEAD', {}, undefined, never, 1000);
    expect([r.status, r.text]).toEqual([405, '']);
  });

  it('speaks TLS, checking the certificate against the CAs it trusts', async () => {
    const server = createHttpsServer({ key: readFileSync(join(TLS, 'key.pem')), cert: readFileSync(join(TLS, 'cert.pem')) }, (req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => res.end(JSON.stringify({ got: body, method: req.method })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
    const trusted = client(url, 2, readFileSync(join(TLS, 'cert.pem')));
    expect(JSON.parse((await post(trusted, '[42]')).text)).toEqual({ got: '[42]', method: 'POST' });
    expect(JSON.parse((await post(trusted, '[43]')).text)).toEqual({ got: '[43]', method: 'POST' });
    expect((await errorOf(post(client(url)))).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
  });

  it('an idle kept-alive connection does not keep the process running', async () => {
    const s = await raw((socket) => socket.write(OK));
    const script = `import { HttpClient } from ${JSON.stringify(join(import.meta.dirname, '../../dist/backends/http-client.js'))};
      const r = await new HttpClient(${JSON.stringify(s.url)}, 2).send('POST', {}, Buffer.from('[]'), new AbortController().signal, 2000);
      console.log(r.status);`;
    const t0 = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
    expect(stdout.trim()).toBe('200');
    expect(Date.now() - t0).toBeLessThan(3500); // the idle close (4 s) is not waited for
  });
});
