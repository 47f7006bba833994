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
    {
      name: 'once-file',
      lines, bytes,
      run: async () => {
        const st = tempState();
        try {
          const r = await measure([cli, '--once', data], {
            AFLO_BACKEND_TYPE: 'file', AFLO_OUTPUT_DIR: join(st.dir, 'out'), AFLO_STATE_DIR: join(st.dir, 'state'),
            AFLO_BATCH_SIZE: process.env.BENCH_BATCH_SIZE ?? '1000', AFLO_JSON_LOGS: 'true',
          });
          return { ...r, events: await producedEvents(measure, cli, join(st.dir, 'state')) };
        } finally {
          st.remove();
        }
      },
    },
  ];
}

async function producedEvents(measure, cli, stateDir) {
  const r = await measure([cli, 'status', '--json', '--state-dir', stateDir], {}, { stdout: 'pipe', capture: true });
  return r.stdoutJson?.events?.accepted ?? 0;
}

export function tempState() {
  const dir = mkdtempSync(join(tmpdir(), 'aflo-bench-state-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
