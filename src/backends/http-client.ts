// One HTTP(S) request at a time per kept-alive connection, answered as status + headers + text. Written on net/tls
// sockets (http-wire.ts): node:http's client took ~105 µs of the main thread per request (28 % of its CPU at batch
// 100), this ~63 µs with loopback TCP. Connections idle for IDLE_MS are closed before a server would.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { requestHead, ResponseParser, type HeaderValues, type WireReply } from './http-wire.js';

export interface HttpReply { status: number; headers: HeaderValues; text: string }

export interface HttpClientOptions {
  /** Certificates trusted besides the system's (tests; users set NODE_EXTRA_CA_CERTS). */
  ca?: string | Buffer;
}

const IDLE_MS = 4000;
const TCP_KEEPALIVE_MS = 10_000;

const failure = (name: 'TimeoutError' | 'AbortError') => Object.assign(new Error(name === 'TimeoutError' ? 'timed out' : 'aborted'), { name });
const closedClient = () => Object.assign(new Error('client closed'), { code: 'ECONNRESET' });

/** Fails with `name` 'TimeoutError' or 'AbortError', or the socket's error (with its `code`: ECONNRESET…). */
export class HttpClient {
  private readonly url: URL;
  private readonly sockets = new Set<Socket>();
  private readonly idle: Socket[] = [];
  private readonly waiting: ((s: Socket | Error) => void)[] = [];
  private closed = false;

  constructor(url: string, private readonly maxSockets: number, private readonly o: HttpClientOptions = {}) {
    this.url = new URL(url);
  }

  async send(method: string, headers: Record<string, string | number>, body: Buffer | undefined, signal: AbortSignal, timeoutMs: number): Promise<HttpReply> {
    const head = requestHead(method, this.url, headers, body?.length);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(failure('TimeoutError')), timeoutMs);
      onAbort = () => reject(failure('AbortError'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    stopped.catch(() => undefined);
    const want = this.acquire();
    let socket: Socket | undefined;
    let handedBack = false;
    try {
      socket = await Promise.race([want, stopped]);
      const exchange = this.exchange(socket, head, body, method === 'HEAD');
      exchange.catch(() => undefined);
      const reply = await Promise.race([exchange, stopped]);
      handedBack = true;
      if (reply.keepAlive) this.release(socket);
      else socket.destroy();
      return { status: reply.status, headers: reply.headers, text: reply.body.toString('utf8') };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort!);
      // Stopped while waiting for a connection: the one it gets later goes back to the pool. Stopped or failed
      // mid-exchange: the connection is in an unknown state and is closed.
      if (socket === undefined) void want.then((s) => this.release(s), () => undefined);
      else if (!handedBack) socket.destroy();
    }
  }

  /** Closes every connection; later sends fail. Safe to call twice. */
  close(): void {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    for (const w of this.waiting.splice(0)) w(closedClient());
  }

  /** Writes the request and reads its reply on `socket`. */
  private exchange(socket: Socket, head: Buffer, body: Buffer | undefined, noBody: boolean) {
    return new Promise<WireReply>((resolve, reject) => {
      if (socket.destroyed) return reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      const parser = new ResponseParser(noBody);
      const done = (err: Error | undefined, reply?: WireReply) => {
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve(reply!);
      };
      const onData = (chunk: Buffer) => {
        try {
          const reply = parser.feed(chunk);
          if (reply) done(undefined, reply);
        } catch (err) {
          done(err as Error);
        }
      };
      const onError = (err: Error) => done(err);
      const onClose = () => {
        try {
          done(undefined, parser.end());
        } catch (err) {
          done(err as Error);
        }
      };
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.cork();
      socket.write(head);
      if (body && body.length > 0) socket.write(body);
      socket.uncork();
    });
  }

  /** A kept-alive connection, a new one while fewer than `maxSockets` are open, or the next one given back. */
  private acquire(): Promise<Socket> {
    if (this.closed) return Promise.reject(closedClient());
    for (let s = this.idle.pop(); s; s = this.idle.pop()) {
      if (s.destroyed) continue;
      s.setTimeout(0);
      s.ref();
      return Promise.resolve(s);
    }
    if (this.sockets.size < this.maxSockets) return Promise.resolve(this.open());
    return new Promise((resolve, reject) => this.waiting.push((s) => (s instanceof Error ? reject(s) : resolve(s))));
  }

  /** A connection whose exchange ended cleanly: to a waiting request, or kept idle (not holding the process open). */
  private release(s: Socket): void {
    if (s.destroyed || this.closed) return void s.destroy();
    const next = this.waiting.shift();
    if (next) return next(s);
    s.unref();
    s.setTimeout(IDLE_MS);
    this.idle.push(s);
  }

  private open(): Socket {
    const port = Number(this.url.port) || (this.url.protocol === 'https:' ? 443 : 80);
    const host = this.url.hostname.replace(/^\[|\]$/g, '');
    const s = this.url.protocol === 'https:'
      ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ca: this.o.ca })
      : netConnect({ host, port });
    s.setNoDelay(true);
    s.setKeepAlive(true, TCP_KEEPALIVE_MS);
    this.sockets.add(s);
    // Errors while idle (a reset kept-alive connection) close it quietly; during an exchange it has its own listener.
    s.on('error', () => s.destroy());
    s.on('timeout', () => s.destroy());
    s.on('data', () => {
      if (s.listenerCount('data') === 1) s.destroy(); // bytes while idle: nobody asked for them
    });
    s.on('close', () => {
      this.sockets.delete(s);
      const i = this.idle.indexOf(s);
      if (i >= 0) this.idle.splice(i, 1);
      const next = this.waiting.shift();
      if (next) {
        if (this.closed) next(closedClient());
        else next(this.open());
      }
    });
    return s;
  }
}
