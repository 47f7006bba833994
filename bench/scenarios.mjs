// The benchmark scenarios: each returns wall time, CPU, RSS and event count for one run over the generated file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const eventsFrom = (stderr) => Number(/events=(\d+)/.exec(stderr)?.[1] ?? 0);

export function scenarios({ data, lines, bytes, cli, measure }) {
  return [
    {
      name: 'map',
      lines, bytes,
      run: async () => {
        const r = await measure([cli, 'map', data]);
        return { ...r, events: eventsFrom(r.stderr) };
      },
    },
  ];
}

export function tempState() {
  const dir = mkdtempSync(join(tmpdir(), 'aflo-bench-state-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
