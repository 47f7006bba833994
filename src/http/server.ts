// The optional HTTP listener (AFLO_HTTP_ADDR): GET /metrics, GET /healthz; nothing listens unless configured.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthCheck } from './health.js';

export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface HttpDeps { metrics: () => string; health: HealthCheck; ingest?: Route }

export async function startHttp(host: string, port: number, deps: HttpDeps): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method === 'GET' && path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(deps.metrics());
      } else if (req.method === 'GET' && path === '/healthz') {
        const h = deps.health.check();
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'text/plain' }).end(h.ok ? 'ok\n' : `unhealthy: ${h.reason}\n`);
      } else if (path === '/ingest' && deps.ingest) {
        void Promise.resolve(deps.ingest(req, res)).catch(() => { if (!res.headersSent) res.writeHead(500).end(); });
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  // A client that sends headers or a body slowly (or stalls) is cut off: its memory and socket come back.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
