// Model-based property test: random appends, partial writes, rotations, copytruncates, deletions, crashes,
// restarts and backend failures; afterwards the accepted events are exactly those of the written entries.
import fc from 'fast-check';
import { appendFileSync, copyFileSync, existsSync, renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend, OutgoingBatch, SendResult } from '../../src/backends/types.js';
import type { Flusher } from '../../src/ship/flusher.js';
import { DecodePool } from '../../src/pipeline/decode-pool.js';
import { FileSource } from '../../src/source/file-source.js';
import { Store } from '../../src/state/store.js';
import { Admission } from '../../src/pipeline/admission.js';
import { MAPPING, newFlusher, slpLine, tempDir } from '../helpers.js';

/** A backend that keeps objects by key, as S3 does (a re-send overwrites), and can be told to fail. */
class ObjectStoreBackend implements Backend {
  readonly type = 'test';
  readonly objects = new Map<string, string[]>();
  failing = false;
  async send(b: OutgoingBatch): Promise<SendResult> {
    if (this.failing) return { kind: 'retry', reason: 'down' };
    this.objects.set(b.key, b.records());
    return { kind: 'accepted' };
  }
  async check() { return { ok: true as const }; }
  async close() {}
}

class System {
  store!: Store;
  source!: FileSource;
  flusher!: Flusher;
  readonly backend = new ObjectStoreBackend();
  readonly app: string;
  written: string[] = [];
  n = 0;
  rotations = 0;
  pendingPartial = '';

  constructor(readonly dir: string) {
    this.app = join(dir, 'app.log');
    writeFileSync(this.app, '');
    this.start();
  }

  start(): void {
    const log = pino({ level: 'silent' });
    this.store = Store.open(join(this.dir, 'state'), Date.now);
    const ingest = { mapping: MAPPING, maxEntryBytes: 1 << 20, admission: new Admission(this.store, { maxBufferSize: 50, bufferFull: 'block', pollMs: 0, now: () => 1 }), now: () => 1 };
    // Pieces of 300 bytes, three under way at once: entries are cut across pieces, pieces are decoded ahead on a
    // guess, and pretty-printed entries make some guesses wrong. Rounds of 1,000 bytes end with pieces under way.
    this.source = new FileSource(this.store, {
      patterns: [join(this.dir, 'app.log*')], pollMs: 0, readFrom: 'beginning', rotateWaitMs: 0, maxLineBytes: 1 << 20, commit: ingest, log, now: Date.now,
      decoder: new DecodePool({ mapping: MAPPING, maxEntryBytes: 1 << 20 }, { threads: 0 }), decodeDepth: 3, pieceBytes: 300, roundBudget: 1000,
    });
    this.flusher = newFlusher(this.store, this.backend, {
      batchSize: 5, flushIntervalMs: 0, maxBufferSize: 50, prefix: 'p', backoff: { baseMs: 1, capMs: 2, random: () => 0.5 },
      authRetryMs: 1, concurrency: 3, now: Date.now, log,
    });
  }

  /** kill -9 at a step boundary: no shutdown work at all, only what SQLite committed survives. */
  async crash(): Promise<void> {
    for (const f of this.source.files) await f.close();
    this.store.close();
    this.start();
  }

  line(pretty = false): string {
    const id = `m${this.n++}`;
    this.written.push(id);
    return (pretty ? JSON.stringify(JSON.parse(slpLine(id)), null, 2) : slpLine(id)) + '\n';
  }

  finishPartial(): void {
    if (this.pendingPartial) appendFileSync(this.app, this.pendingPartial);
    this.pendingPartial = '';
  }

  async step(): Promise<void> {
    await this.source.scan();
    for (let i = 0; i < 3; i++) if ((await this.source.readRound(false)) !== 'more') break;
    await this.flusher.drain(AbortSignal.timeout(50), false);
  }
}

type Cmd = fc.AsyncCommand<object, System>;
const cmd = (name: string, run: (s: System) => Promise<void> | void): Cmd => ({
  check: () => true,
  run: async (_m, s) => { await run(s); },
  toString: () => name,
});

const commands = [
  fc.integer({ min: 1, max: 8 }).map((k) => cmd(`append(${k})`, (s) => {
    s.finishPartial();
    let text = '';
    for (let i = 0; i < k; i++) text += s.line();
    appendFileSync(s.app, text);
  })),
  fc.integer({ min: 1, max: 3 }).map((k) => cmd(`append-pretty(${k})`, (s) => {
    s.finishPartial();
    let text = '';
    for (let i = 0; i < k; i++) text += s.line(true);
    appendFileSync(s.app, text);
  })),
  fc.integer({ min: 1, max: 150 }).map((cut) => cmd(`partial(${cut})`, (s) => {
    s.finishPartial();
    const l = s.line();
    appendFileSync(s.app, l.slice(0, cut));
    s.pendingPartial = l.slice(cut);
  })),
  fc.constant(cmd('rotate', (s) => {
    s.finishPartial();
    renameSync(s.app, join(s.dir, `app.log.${++s.rotations}`));
    writeFileSync(s.app, '');
  })),
  fc.constant(cmd('copytruncate', async (s) => {
    s.finishPartial();
    await s.step();
    copyFileSync(s.app, join(s.dir, `app.log.${++s.rotations}`));
    truncateSync(s.app, 0);
  })),
  fc.constant(cmd('delete-rotated-while-open', async (s) => {
    const open = s.source.files.filter((f) => f.path !== s.app && existsSync(f.path));
    if (open.length > 0) unlinkSync(open[0].path);
  })),
  fc.constant(cmd('crash+restart', (s) => s.crash())),
  fc.boolean().map((down) => cmd(`backend(${down ? 'down' : 'up'})`, (s) => { s.backend.failing = down; })),
  fc.constant(cmd('step', (s) => s.step())),
];

describe('model-based: no loss across rotate / crash sequences', () => {
  let dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(() => { dirs.forEach((d) => d.remove()); dirs = []; });

  it('accepted events are exactly those of the written entries', async () => {
    await fc.assert(fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
      const dir = tempDir('aflo-model-');
      dirs.push(dir);
      const sys = new System(dir.path);
      await fc.asyncModelRun(() => ({ model: {}, real: sys }), cmds);
      sys.finishPartial();
      sys.backend.failing = false;
      for (let i = 0; i < 20; i++) await sys.step();
      await sys.flusher.drain(AbortSignal.timeout(2000), false);
      const records = [...sys.backend.objects.values()].flat().map((r) => JSON.parse(r));
      const ids = records.filter((e) => e.meterApiName === 'llm_requests').map((e) => e.uniqueId).sort();
      expect(ids).toEqual([...sys.written].sort());
      const totals = sys.store.counts.all()[''] ?? {};
      expect(totals.read ?? 0).toBe(sys.written.length);
      expect(totals.produced ?? 0).toBe((totals.accepted ?? 0) + sys.store.refreshBuffered() + (totals.dead_lettered ?? 0) + (totals.dropped ?? 0));
      for (const f of sys.source.files) await f.close();
      sys.store.close();
    }), { numRuns: Number(process.env.MODEL_RUNS ?? 60) });
  }, 120_000);
});
