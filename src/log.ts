// Logger: pino JSON lines (or readable lines) on stderr; every line passes a secret scrubber before it is written.
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import { scrub } from './config/redact.js';

export type { Logger };

export interface LogOptions {
  json: boolean;
  debug: boolean;
  secrets: readonly string[];
  /** Where lines go; stderr (fd 2) unless a test passes its own. */
  write?: (line: string) => void;
}

export function createLogger(opts: LogOptions): Logger {
  const write = opts.write ?? ((line: string) => { try { writeSync(2, line); } catch { /* stderr closed */ } });
  const scrubbing = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      write(scrub(chunk.toString(), opts.secrets));
      cb();
    },
  });
  const level = opts.debug ? 'debug' : 'info';
  const base = { level, base: { name: 'aflo-tail' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (opts.json) {
    return pino(base, { write: (line: string) => write(scrub(line, opts.secrets)) });
  }
  // Loaded only for readable lines (~40 ms of start-up otherwise spent on every run).
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pino(base, pretty({ destination: scrubbing, colorize: false, sync: true, ignore: 'pid,hostname,name' }));
}
