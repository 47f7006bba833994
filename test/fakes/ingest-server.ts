// A fake Amberflo ingest API on 127.0.0.1 (README, "Backends": the answers table): checks headers and the gzip body, records what it
// accepted (deduplicating identical records as Amberflo does), and injects faults by script.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach } from 'vitest';

export interface IngestRequest { n: number; key: string | undefined; records: Record<string, unknown>[] }
export type Action =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { drop: true }
  | { hang: number };
/** Return an action to inject a fault, or undefined to accept normally. */
export type Script = (req: IngestRequest) => Action | undefined;

export class FakeIngest {
  readonly accepted = new Map<string, number>();
  /** The records of every accepted request, as sent (for telling a re-sent whole batch from a changed one). */
  readonly batches: string[][] = [];
  requests = 0;
  script: Script = () => undefined;
  private server!: Server;
  url = '';

  constructor(readonly apiKey: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Distinct records accepted (an identical re-send counts once, as Amberflo deduplicates it). */
  records(): Record<string, unknown>[] {
    return [...this.accepted.keys()].map((k) => JSON.parse(k));
  }

  ids(meter = 'llm_requests'): string[] {
    return this.records().filter((r) => r.meterApiName === meter).map((r) => String(r.uniqueId)).sort();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method === 'HEAD') return void res.writeHead(405).end();
    if (req.method !== 'POST' || req.url !== '/ingest') return void res.writeHead(404).end('{"message":"not found"}');
    const n = ++this.requests;
    const key = req.headers['x-api-key'] as string | undefined;
    if (req.headers['content-encoding'] !== 'gzip' || !String(req.headers['content-type']).startsWith('application/json')) {
      return void res.writeHead(400).end('{"message":"expected gzip JSON"}');
    }
    let records: Record<string, unknown>[];
    try {
      records = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8'));
      if (!Array.isArray(records)) throw new Error('not an array');
    } catch {
      return void res.writeHead(400).end('{"message":"body is not a gzip JSON array"}');
    }
    const action = this.script({ n, key, records });
    if (action && 'drop' in action) return void req.socket.destroy();
    if (action && 'hang' in action) {
      setTimeout(() => req.socket.destroy(), action.hang).unref();
      return;
    }
    if (action) return void res.writeHead(action.status, action.headers).end(action.body ?? '{"message":"fault"}');
    if (key !== this.apiKey) return void res.writeHead(401).end('{"message":"Unauthorized"}');
    for (const r of records) {
      if (typeof r.meterApiName !== 'string' || typeof r.meterValue !== 'number' || typeof r.meterTimeInMillis !== 'number') {
        return void res.writeHead(400).end('{"message":"invalid record"}');
      }
    }
    const texts = records.map((r) => JSON.stringify(r));
    for (const text of texts) this.accepted.set(text, (this.accepted.get(text) ?? 0) + 1);
    this.batches.push(texts);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  }
}

/** Per test: a fake Amberflo started before it and stopped after; read `.server` inside the tests. */
export function useFakeIngest(apiKey: string): { server: FakeIngest } {
  const holder = {} as { server: FakeIngest };
  beforeEach(async () => {
    holder.server = new FakeIngest(apiKey);
    await holder.server.start();
  });
  afterEach(() => holder.server.stop());
  return holder;
}
