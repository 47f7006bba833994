// The shipper: follow (daemon) or catch up (--once): sources → buffer → flusher → backend, with a clean stop.
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createBackend } from '../backends/index.js';
import type { Backend } from '../backends/types.js';
import type { Settings } from '../config/settings.js';
import { DecodePool } from '../pipeline/decode-pool.js';
import { Admission } from '../pipeline/admission.js';
import { BufferWatch } from '../pipeline/buffer-watch.js';
import { fixMmapThreshold } from '../pipeline/malloc-threshold.js';
import type { CommitOptions } from '../pipeline/commit.js';
import { Batching } from '../ship/batching.js';
import { Flusher } from '../ship/flusher.js';
import { DEFAULT_BACKOFF } from '../ship/retry.js';
import { Wakeup } from '../util/waiting.js';
import { FileSource } from '../source/file-source.js';
import { spoolDir } from '../source/gzip-input.js';
import { readStream } from '../source/stdin-source.js';
import { watchForChanges } from '../source/watch-hint.js';
import { acquireLock, holderText } from '../state/lock.js';
import { checkWritableStateDir } from '../state/state-dir.js';
import { StartError } from '../config/start-error.js';
import { Store } from '../state/store.js';
import { mappingOptions } from './mapping-options.js';
import { concludeRun, totalsNow, type RunOutcome } from './run-outcome.js';
import { printableSettings } from '../config/redact.js';
import { startProgress, type ProgressOut } from './progress.js';
import { parseHttpAddr } from '../config/load.js';
import { HealthCheck } from '../http/health.js';
import { renderMetrics } from '../http/metrics.js';
import { ingestRoute } from '../http/ingest-endpoint.js';
import { startHttp } from '../http/server.js';
import { FastMapper } from '../mapping/fast-mapper.js';

export interface RunDeps {
  settings: Settings;
  log: Logger;
  stdin: Readable;
  stdout: Writable;
  /** Aborts on SIGTERM / SIGINT. */
  stop: AbortSignal;
  now: () => number;
  pid: number;
  backend?: Backend;
  /** A terminal to draw --once progress on; undefined when stderr is not a terminal. */
  progress?: ProgressOut;
  /** Called right before the decode threads are made, with the semi-space size (MB) their heaps start at. */
  threadsStarting?: (semiSpaceMb: number) => void;
  /** Called once the decode threads are started (starting a thread resets process-wide V8 settings). */
  threadsStarted?: () => void;
}


export async function runShipper(deps: RunDeps, inputs: string[], once: boolean): Promise<RunOutcome> {
  const { settings: s, log } = deps;
  const patterns = [...inputs.filter((i) => i !== '-'), ...s.logPaths];
  const useStdin = inputs.includes('-');
  if (patterns.length === 0 && !useStdin && (once || !s.httpAddr)) {
    return { code: 2, message: 'no inputs: give paths, globs or - (stdin), or set AFLO_LOG_PATHS (or AFLO_HTTP_ADDR for POST /ingest)' };
  }
  const mapping = mappingOptions(s);
  if (!mapping.ok) return { code: 2, message: mapping.error };
  const unusable = checkWritableStateDir(s.stateDir, ['state.db', 'aflo-tail.lock.db']);
  if (unusable) return { code: unusable.code, message: unusable.message };
  const lock = acquireLock(s.stateDir, deps.pid);
  if (!lock.ok) return { code: 2, message: `AFLO_STATE_DIR: ${s.stateDir} is in use by another aflo-tail${holderText(lock.pid)}; give each process its own state directory` };
  const store = Store.open(s.stateDir, deps.now);
  store.restartBackoff();
  const before = totalsNow(store);
  // One decode thread sees the pieces in the order they are committed, so it can tell where batches will start and
  // make their bodies ahead; with several, each would guess wrong about the others' pieces.
  const threads = patterns.length > 0 ? s.decodeThreads : 0;
  fixMmapThreshold();
  const decoder = new DecodePool({ mapping: mapping.options, maxEntryBytes: s.maxLineBytes, tag: true, ...(threads === 1 ? { batchSize: s.batchSize } : {}) }, {
    threads, eager: once, onStarting: deps.threadsStarting, onStarted: deps.threadsStarted, batchCarry: () => store.batchCarry,
  });
  const backend = deps.backend ?? (await createBackend(s, { stdout: deps.stdout, now: deps.now }));
  store.recordBackend(backend.type);
  try {
    const batching = new Batching(store, {
      batchSize: s.batchSize, flushIntervalMs: s.flushInterval * 1000, maxBufferSize: s.maxBufferSize, prefix: s.pathPrefix, now: deps.now,
    });
    const flusher = new Flusher(store, batching, backend, {
      maxBufferSize: s.maxBufferSize, backoff: { ...DEFAULT_BACKOFF, baseMs: s.retryInitial * 1000, capMs: s.retryMax * 1000 }, authRetryMs: 60_000, now: deps.now, log,
      concurrency: backend.type === 'stdout' ? 1 : s.sendConcurrency, adaptive: s.adaptiveConcurrency && backend.type !== 'stdout',
    });
    const admission = new Admission(store, { maxBufferSize: s.maxBufferSize, bufferFull: s.bufferFull, pollMs: s.pollInterval * 1000, now: deps.now }, flusher.acked);
    const commit: CommitOptions = { mapping: mapping.options, maxEntryBytes: s.maxLineBytes, admission, now: deps.now };
    const checked = await backend.check(deps.stop);
    if (!checked.ok) log.warn({ reason: checked.reason, setting: checked.setting }, 'backend start-up check failed; events are kept and sending is retried');
    log.debug({ settings: printableSettings(s) }, 'settings');
    log.info({ backend: backend.type, inputs: [...patterns, ...(useStdin ? ['-'] : [])], once, state_dir: s.stateDir,
      native_mapper: FastMapper.for(mapping.options) !== undefined }, 'aflo-tail started');

    const reading = new AbortController();
    const onStop = () => reading.abort();
    deps.stop.addEventListener('abort', onStop, { once: true });
    const sending = new AbortController();
    const deadline = new AbortController();
    const sender = flusher.run(sending.signal, deadline.signal);
    const waitForRoom = (need: number) => admission.waitForRoom(need, reading.signal);
    const files = new FileSource(store, {
      patterns, pollMs: s.pollInterval * 1000, readFrom: s.readFrom, rotateWaitMs: Math.max(5000, 2 * s.pollInterval * 1000),
      maxLineBytes: s.maxLineBytes, commit, log, now: deps.now, decoder, decodeDepth: s.decodeThreads + 1,
      spoolDir: patterns.length > 0 ? await spoolDir(s.stateDir) : undefined, maxOpenFiles: s.maxOpenFiles,
    });
    const bufferWatch = new BufferWatch({ policy: s.bufferFull, capacity: s.maxBufferSize, everyMs: 60_000, now: deps.now },
      () => ({ buffered: store.bufferedEvents, waiting: admission.waiting > 0, waits: admission.waits, dropped: admission.dropped }), log);
    // Requests from other commands (dlq replay), carried out here, in this process's own transactions; the buffer's
    // fullness, said in the log.
    const serving = setInterval(() => {
      bufferWatch.tick();
      try { store.serveRequests(); } catch { /* the store reports write failures */ }
    }, 1000);
    serving.unref();
    // The ledger keeps AFLO_LEDGER_HOURLY_DAYS by the hour, then days up to AFLO_LEDGER_RETENTION_DAYS: at start and hourly.
    const prune = () => {
      const today = Math.floor(deps.now() / 86_400_000) * 86_400_000;
      try { store.compactLedger(today - s.ledgerHourlyDays * 86_400_000, today - s.ledgerRetentionDays * 86_400_000); } catch { /* the store says */ }
    };
    prune();
    const pruning = setInterval(prune, 3_600_000);
    pruning.unref();
    // Said once per change: reading pauses (and /ingest answers 503) while the state database cannot be written.
    store.writes.onChange = (f) => {
      if (f) log.error({ reason: f.reason, state_dir: s.stateDir }, 'cannot write the state database; reading is paused and retried (nothing is lost: the logs hold what is not read yet)');
      else log.info({ state_dir: s.stateDir }, 'the state database is writable again; reading resumes');
    };
    const http = s.httpAddr ? await startHttpListener(s, store, flusher, files, backend, admission, deps) : undefined;
    const wake = new Wakeup();
    const watcher = once || patterns.length === 0 ? undefined : await watchForChanges(patterns, () => wake.poke(), log);
    const stopProgress = once && deps.progress ? startProgress(deps.progress, files, store, deps.now) : undefined;
    const sources: Promise<void>[] = [];
    if (useStdin) sources.push(readStream(deps.stdin, store, commit, s.maxLineBytes, reading.signal, () => waitForRoom(0)));
    if (patterns.length > 0) sources.push(once ? files.once(reading.signal, waitForRoom, wake) : files.follow(reading.signal, wake, waitForRoom));
    // With only the HTTP endpoint as input, run until told to stop.
    if (sources.length === 0) sources.push(new Promise<void>((resolve) => reading.signal.addEventListener('abort', () => resolve(), { once: true })));
    await Promise.all(sources);
    // Stdin alone has ended: a daemon with nothing left to follow stops as on SIGTERM.
    await watcher?.close();
    await files.close();
    deps.stop.removeEventListener('abort', onStop);
    const limit = AbortSignal.timeout((once ? s.onceTimeout : s.shutdownTimeout) * 1000);
    const stopAll = once ? AbortSignal.any([limit, deps.stop]) : limit;
    stopAll.addEventListener('abort', () => deadline.abort(), { once: true });
    sending.abort();
    await sender;
    const drained = await flusher.drain(stopAll, once);
    stopProgress?.();
    // A run shorter than a look still says that its buffer filled.
    bufferWatch.tick(true);
    clearInterval(serving);
    clearInterval(pruning);
    await http?.close();
    log.debug({ batches_made_ahead: batching.prebuiltUsed }, 'batch bodies the decode thread made');
    return concludeRun({
      store, log, once, stateDir: s.stateDir, before, drained, interrupted: deps.stop.aborted,
      unread: once ? files.problems.list.filter((p) => p.kind !== 'no_match') : [],
    });
  } finally {
    await decoder.close();
    await backend.close().catch(() => undefined);
    store.close();
    lock.release();
  }
}

async function startHttpListener(s: Settings, store: Store, flusher: Flusher, files: FileSource, backend: Backend, admission: Admission, deps: RunDeps) {
  const addr = parseHttpAddr(s.httpAddr!)!;
  const health = new HealthCheck(store, flusher, () => files.problems.unreadable, {
    maxBufferSize: s.maxBufferSize, fullGraceMs: 60_000, staleMs: Math.max(900_000, 3 * s.flushInterval * 1000), now: deps.now,
  });
  const ingest = ingestRoute({ store, admission, now: deps.now, token: s.ingestToken,
    allowNegative: s.ingestAllowNegative });
  const routes = {
    metrics: () => renderMetrics({ store, flusher, files, now: deps.now, backend: backend.type, maxBufferSize: s.maxBufferSize, healthy: () => health.check().ok }),
    health, ingest,
  };
  const http = await startHttp(addr.host, addr.port, routes).catch((err: unknown) => { throw cannotListen(s.httpAddr!, err); });
  deps.log.info({ host: addr.host, port: http.port }, 'serving /metrics, /healthz and POST /ingest');
  return http;
}

/** A port that cannot be had is a setting to change, said in one line. */
function cannotListen(addr: string, err: unknown): StartError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  const why: Record<string, string> = {
    EADDRINUSE: 'another program listens there: choose another port',
    EADDRNOTAVAIL: 'no network interface of this machine has that address: use 127.0.0.1 or one of its addresses',
    EACCES: 'ports below 1024 need privileges: choose a port above 1024',
  };
  return new StartError(`AFLO_HTTP_ADDR (--http-addr): cannot listen on ${addr} (${code}): ${why[code] ?? 'check the address'}`, 2);
}
