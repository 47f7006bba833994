// The follow-mode scenarios: append latency at a steady rate (c), idle CPU (d), peak RSS with a stalled backend (e).
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { line } from './gen.mjs';
import { tempState } from './scenarios.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const seconds = (name, dflt) => Number(process.env[name] ?? dflt);

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function followScenarios({ cli, measure, sink, data, stallData }) {
  const daemon = (dir, env, during) => measure([cli, join(dir, 'logs', '*.jsonl')], {
    AFLO_STATE_DIR: join(dir, 'state'), AFLO_BACKEND_TYPE: 'api', AFLO_API_ENDPOINT: sink.url, AFLO_API_KEY: 'bench-key',
    AFLO_SHUTDOWN_TIMEOUT: '2', AFLO_REQUEST_TIMEOUT: '5', ...env,
  }, { onStart: (child) => { during(child).finally(() => child.kill('SIGTERM')); } });
  /** c: lines appended at a steady rate; delay from the append to the sink's acceptance of the line's events. */
  const latency = (name, network) => ({
      name, throughput: false, bare: false, rounds: 1,
      run: async () => {
        const st = tempState();
        const rate = seconds('BENCH_FOLLOW_RATE', 5000);
        const duration = seconds('BENCH_FOLLOW_SECONDS', 60);
        const appended = new Map();
        const file = join(st.dir, 'logs', 'litellm.jsonl');
        mkdirSync(join(st.dir, 'logs'));
        writeFileSync(file, '');
        sink.setMode('latency');
        sink.setNetwork(network);
        try {
          const r = await daemon(st.dir, { AFLO_FLUSH_INTERVAL: '1', AFLO_POLL_INTERVAL: '1' }, async () => {
            await sleep(1500);
            const t0 = Date.now();
            let n = 0;
            while (Date.now() - t0 < duration * 1000) {
              // Every 10 ms, the lines due by now: a steady 5,000 lines/s in small appends, as a busy proxy writes.
              const due = Math.floor(((Date.now() - t0) / 1000) * rate);
              let text = '';
              const now = Date.now();
              for (; n < due; n++) {
                const id = `lat-${n}`;
                appended.set(id, now);
                text += line(n).replace(/"id":"[^"]*"/, `"id":"${id}"`) + '\n';
              }
              if (text) appendFileSync(file, text);
              await sleep(10);
            }
            for (let waited = 0; waited < 30_000 && sink.peekArrivals() < appended.size; waited += 200) await sleep(200);
          });
          const { arrivals, records, requests } = sink.take();
          const delays = [];
          for (const [id, at] of appended) { const got = arrivals.get(id); if (got !== undefined) delays.push(got - at); }
          delays.sort((a, b) => a - b);
          return { ...r, events: records, requests, lines: appended.size, delivered: delays.length,
            p50: percentile(delays, 50), p99: percentile(delays, 99) };
        } finally {
          sink.setMode('count');
          sink.setNetwork();
        }
      },
      extra: (runs) => ({ 'p50 delay ms': runs[0].p50, 'p99 delay ms': runs[0].p99, 'lines delivered': `${runs[0].delivered}/${runs[0].lines}` }),
    });
  return [
    latency('follow-latency', {}),
    // The same with Amberflo 50 ms away (BENCH_DELAY_MS).
    latency('follow-delay', { delay: seconds('BENCH_DELAY_MS', 50) }),
    {
      // d: files already read, nothing written: the CPU one core spends on polling, rescans and timers.
      name: 'idle', throughput: false, bare: false, rounds: 1,
      run: async () => {
        const st = tempState();
        const fs = await import('node:fs');
        fs.mkdirSync(join(st.dir, 'logs'));
        for (let f = 0; f < 10; f++) fs.writeFileSync(join(st.dir, 'logs', `proxy-${f}.jsonl`), Array.from({ length: 100 }, (_, i) => line(f * 100 + i)).join('\n') + '\n');
        const duration = seconds('BENCH_IDLE_SECONDS', 60);
        let idleCpu = NaN;
        const r = await daemon(st.dir, { AFLO_FLUSH_INTERVAL: '1' }, async (child) => {
          await sleep(5000);
          const c0 = cpuOf(child.pid);
          await sleep(duration * 1000);
          idleCpu = cpuOf(child.pid) - c0;
        });
        sink.take();
        return { ...r, idleCpu, idleSeconds: duration };
      },
      extra: (runs) => ({ 'idle CPU % of a core': ((100 * runs[0].idleCpu) / runs[0].idleSeconds).toFixed(2) }),
    },
    {
      // e: a 2 GB file followed while the backend never answers: memory must stay bounded by the buffer.
      name: 'stalled-follow-2GB', throughput: false, bare: false, rounds: 1,
      run: async () => {
        const st = tempState();
        const fs = await import('node:fs');
        fs.mkdirSync(join(st.dir, 'logs'));
        try { fs.linkSync(stallData, join(st.dir, 'logs', 'big.jsonl')); } catch { fs.symlinkSync(stallData, join(st.dir, 'logs', 'big.jsonl')); }
        sink.setMode('stall');
        try {
          const r = await daemon(st.dir, {}, () => sleep(seconds('BENCH_STALL_SECONDS', 30) * 1000));
          return r;
        } finally {
          sink.setMode('count');
          sink.take();
        }
      },
    },
  ];
}
