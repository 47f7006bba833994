// Progress of --once on a terminal: bytes read of total, events sent, rate, time left; one line, redrawn.
import type { FileSource } from '../source/file-source.js';
import { TOTAL, type Store } from '../state/store.js';

export interface ProgressOut { write(s: string): unknown; columns?: number }

export function startProgress(out: ProgressOut, files: FileSource, store: Store, now: () => number, everyMs = 500): () => void {
  const t0 = now();
  let read = 0;
  let total = 0;
  const draw = (final: boolean) => {
    // Files are closed once read: the last figures seen stand for them.
    if (files.files.length > 0) {
      read = 0;
      total = 0;
      for (const f of files.files) {
        read += f.readPosition;
        total += Math.max(f.size, f.readPosition);
      }
    } else if (final) read = total;
    const sent = store.counts.all()[TOTAL]?.accepted ?? 0;
    const secs = Math.max(0.001, (now() - t0) / 1000);
    const rate = read / secs;
    const left = rate > 0 && total > read ? Math.round((total - read) / rate) : 0;
    const pct = total > 0 ? Math.floor((read / total) * 100) : 100;
    const line = `read ${mb(read)} of ${mb(total)} MB (${pct}%), ${sent} events sent, ${mb(rate)} MB/s, ${left} s left`;
    out.write(`\r${line.padEnd(Math.min(out.columns ?? 80, 100) - 1)}${final ? '\n' : ''}`);
  };
  const timer = setInterval(() => draw(false), everyMs);
  timer.unref();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    draw(true);
  };
}

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}
