// A minimal S3 endpoint on 127.0.0.1 (path-style PutObject and HeadBucket) that answers with S3's XML errors by
// script: the error codes real S3 gives with a 4xx that are not about the object (RequestTimeout, wrong region).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type S3Fault = { status: number; code: string } | undefined;

export class FakeS3 {
  /** Object bodies stored, by key (a re-send overwrites). */
  readonly objects = new Map<string, Buffer>();
  puts = 0;
  script: (n: number) => S3Fault = () => undefined;
  url = '';
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'HEAD') return void res.writeHead(200).end();
        if (req.method !== 'PUT') return void res.writeHead(405).end();
        const fault = this.script(++this.puts);
        if (fault) {
          const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>fault</Message><RequestId>1</RequestId></Error>`;
          return void res.writeHead(fault.status, { 'content-type': 'application/xml' }).end(xml);
        }
        this.objects.set(decodeURIComponent((req.url ?? '').split('?')[0]), Buffer.concat(chunks));
        res.writeHead(200, { etag: '"x"' }).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every record in every stored object. */
  records(): Record<string, unknown>[] {
    return [...this.objects.values()].flatMap((b) => JSON.parse(gunzipSync(b).toString()) as Record<string, unknown>[]);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
