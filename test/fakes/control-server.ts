// A fake Amberflo control plane on 127.0.0.1: meters CRUD, usage and filtering rules; records every request. Usage is
// answered from `usageRecords` (what a fake ingest accepted) as Amberflo does: SUM per UTC hour or day bucket of the
// meter time, per group, gaps filled with zeros.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen { method: string; path: string; key: string | undefined; body: unknown; contentType?: string }

export class FakeControl {
  readonly seen: Seen[] = [];
  readonly meters = new Map<string, Record<string, unknown>>();
  private server!: Server;
  private nextId = 1;
  url = '';
  /** Injected faults: answers given, in turn, before any request is served (status, Retry-After seconds). */
  readonly faults: { status: number; retryAfter?: number }[] = [];

  /** The records usage is computed from (none: every usage answer is empty). */
  usageRecords: () => Record<string, unknown>[] = () => [];

  constructor(readonly apiKey: string) {}

  /** Amberflo's usage answer for a query body (docs: "Query the usage data"). */
  usage(q: { meterApiName: string; timeGroupingInterval: string; timeRange: { startTimeInSeconds: number; endTimeInSeconds?: number }; groupBy?: string[] }): unknown {
    const size = q.timeGroupingInterval === 'HOUR' ? 3600 : 86400;
    const start = Math.floor(q.timeRange.startTimeInSeconds / size) * size;
    const end = q.timeRange.endTimeInSeconds ?? Math.floor(Date.now() / 1000);
    const intervals: number[] = [];
    for (let t = start; t < end; t += size) intervals.push(t);
    const groups = new Map<string, { info: Record<string, string>; sums: Map<number, number> }>();
    for (const r of this.usageRecords()) {
      const sec = Number(r.meterTimeInMillis) / 1000;
      if (r.meterApiName !== q.meterApiName || sec < q.timeRange.startTimeInSeconds || sec >= end) continue;
      const dims = (r.dimensions ?? {}) as Record<string, string>;
      const info = Object.fromEntries((q.groupBy ?? []).map((g) => [g, g === 'customerId' ? String(r.customerId ?? '') : dims[g] ?? '']));
      const key = JSON.stringify(info);
      const g = groups.get(key) ?? { info, sums: new Map<number, number>() };
      groups.set(key, g);
      const bucket = Math.floor(sec / size) * size;
      g.sums.set(bucket, (g.sums.get(bucket) ?? 0) + Number(r.meterValue));
    }
    return {
      metadata: { meterApiName: q.meterApiName }, secondsSinceEpochIntervals: intervals,
      clientMeters: [...groups.values()].map((g) => ({
        group: (q.groupBy ?? []).length > 0 ? { groupInfo: g.info } : null,
        groupValue: [...g.sums.values()].reduce((a, b) => a + b, 0),
        values: intervals.map((t) => ({ secondsSinceEpochUtc: t, value: g.sums.get(t) ?? 0, percentageFromPrevious: 0 })),
      })),
    };
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => { raw += d; });
      req.on('end', () => {
        const path = req.url ?? '/';
        const body = raw ? JSON.parse(raw) : undefined;
        this.seen.push({ method: req.method!, path, key: req.headers['x-api-key'] as string | undefined, body, contentType: req.headers['content-type'] });
        const send = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        const fault = this.faults.shift();
        if (fault) {
          res.writeHead(fault.status, fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
          return res.end(JSON.stringify({ message: 'injected' }));
        }
        if (req.headers['x-api-key'] !== this.apiKey) return send(401, { message: 'Unauthorized' });
        const id = /^\/meters\/(.+)$/.exec(path)?.[1];
        if (req.method === 'GET' && path === '/meters') return send(200, [...this.meters.values()]);
        if (req.method === 'GET' && id) return this.meters.has(id) ? send(200, this.meters.get(id)) : send(404, { message: 'meter not found' });
        if (req.method === 'POST' && path === '/meters') {
          const m = { id: `m${this.nextId++}`, ...(body as object) };
          this.meters.set(m.id, m);
          return send(200, m);
        }
        if (req.method === 'PUT' && path === '/meters') {
          const b = body as { id: string };
          if (!this.meters.has(b.id)) return send(404, { message: 'meter not found' });
          this.meters.set(b.id, { ...this.meters.get(b.id), ...b });
          return send(200, this.meters.get(b.id));
        }
        if (req.method === 'DELETE' && id) return this.meters.delete(id) ? send(200, { id }) : send(404, { message: 'meter not found' });
        if (req.method === 'POST' && path === '/usage') return send(200, this.usage(body as Parameters<FakeControl['usage']>[0]));
        if (req.method === 'POST' && path === '/ingest-snapshot/custom-filtering-rules') return send(200, body);
        return send(404, { message: 'no route' });
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
