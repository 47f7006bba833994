// The Grafana dashboard in examples/ queries only metrics (and labels) a running daemon serves on /metrics.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { Daemon, deliveredIds, fastEnv, freePort, useWorkspace, waitFor } from '../e2e/harness.js';

const dashboard = JSON.parse(readFileSync(join(import.meta.dirname, '../../examples/grafana-dashboard.json'), 'utf8')) as {
  panels: { title: string; targets: { expr: string; legendFormat: string }[] }[];
};
const ws = useWorkspace();

describe('examples/grafana-dashboard.json', () => {
  it('every metric and label it queries is on /metrics', async () => {
    const log = join(ws.logs, 'a.jsonl');
    writeFileSync(log, slpLine('a') + '\n');
    const port = await freePort();
    const d = new Daemon([log], fastEnv(ws.state, ws.out, { AFLO_HTTP_ADDR: `127.0.0.1:${port}` }));
    let text = '';
    try {
      await waitFor(() => deliveredIds(ws.out).length === 1, 'delivery');
      for (let i = 0; i < 100 && !text.includes('aflo_sends_total{'); i++) {
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await d.stop();
    }
    const served = new Set<string>();
    for (const m of text.matchAll(/^# TYPE (\w+) (\w+)$/gm)) {
      served.add(m[1]);
      if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) served.add(m[1] + s);
    }
    const queried = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\baflo_\w+/g)].map((m) => m[0])));
    expect(queried.length).toBeGreaterThan(10);
    expect(queried.filter((q) => !served.has(q))).toEqual([]);
    const labels = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.legendFormat.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1])));
    for (const label of new Set(labels)) {
      if (label === 'instance') continue; // Prometheus adds it when scraping
      expect(text, `label ${label}`).toMatch(new RegExp(`[{,]${label}="`));
    }
  });
});
