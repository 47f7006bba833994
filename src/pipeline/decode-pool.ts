// Decode threads: large pieces go to the least busy one; small ones, and all without threads (or if one dies), are
// decoded inline.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BufferShelf } from './buffer-shelf.js';
import { decodePiece, type DecodeConfig, type Decoded, type DecodeRequest } from './decode.js';
import type { CarrySync } from './batch-carry.js';
import { prebuiltBatches, type RawPrebuilt } from '../ship/prebuilt.js';

export interface Decoder {
  /**
   * Decodes a piece. Its bytes are the decoder's from then on (moved to a thread or read into again: they must not
   * be used again, nor share their memory with anything else); undefined when the thread died with them: the
   * caller reads them again.
   */
  decode(req: DecodeRequest): Promise<Decoded | undefined>;
  /** Memory to read a piece into (a buffer a thread gave back, else a new one). */
  alloc(size: number): Buffer;
  /** The caller is done with a piece's records (nothing views them any more): a thread writes into them again. */
  release(d: Decoded): void;
  close(): Promise<void>;
}

/**
 * A decode thread's young generation: two semi-spaces and a large-object space of this size, all it ever has. What a
 * piece allocates dies with the line it came from, so a small young generation costs little time.
 */
const SEMI_SPACE_MB = 4;
const YOUNG_GENERATION_MB = 3 * SEMI_SPACE_MB;

type Pending = (d: Decoded | undefined) => void;
interface Thread { worker: Worker; pending: Map<number, Pending> }

/** Pieces smaller than this (a followed file's latest lines) are decoded inline: no round trip, no thread memory. */
export const INLINE_BELOW = 256 << 10;

export interface PoolOptions {
  threads: number;
  /** Pieces smaller than this are decoded inline (tests use 0). */
  inlineBelow?: number;
  /** Start the threads now rather than with the first large piece (a catch-up run: they boot while it starts). */
  eager?: boolean;
  /**
   * Called right before the threads are made, with the semi-space size they are to start at (a process-wide V8
   * setting, read as a thread's heap is made: the one that keeps the main thread's young generation at its initial
   * size would otherwise hold a thread's at 1 MB, four times the collections).
   */
  onStarting?: (semiSpaceMb: number) => void;
  /** Called once the threads run (they start with the first large piece). */
  onStarted?: () => void;
  /** The records waiting for a batch after the last committed piece (`cfg.batchSize`: told to the thread with each piece). */
  batchCarry?: () => CarrySync | undefined;
}

export class DecodePool implements Decoder {
  private threads: Thread[] = [];
  private nextId = 0;
  /** Piece buffers given back (by a thread, or after inline decoding), and record buffers to give the threads. */
  private readonly inputs = new BufferShelf(4);
  private spares: ArrayBuffer[] = [];
  private readonly script?: URL;
  private startedThreads = false;
  private readonly inlineBelow: number;

  /** `threads` 0, or a build without the compiled thread script (tests run from sources), decodes inline. */
  constructor(private readonly cfg: DecodeConfig, private readonly opts: PoolOptions) {
    const script = new URL('./decode-worker.js', import.meta.url);
    if (existsSync(fileURLToPath(script))) this.script = script;
    this.inlineBelow = opts.inlineBelow ?? INLINE_BELOW;
    if (opts.eager) this.startThreads();
  }

  /** Threads start with the first piece that needs them (a daemon following small appends never starts them), or at once. */
  private startThreads(): void {
    if (this.startedThreads || !this.script) return;
    this.startedThreads = true;
    this.opts.onStarting?.(SEMI_SPACE_MB);
    for (let i = 0; i < this.opts.threads; i++) this.threads.push(this.start(this.script));
    void Promise.all(this.threads.map((t) => new Promise((resolve) => {
      t.worker.once('online', resolve);
      t.worker.once('exit', resolve);
    }))).then(() => this.opts.onStarted?.());
  }

  private start(script: URL): Thread {
    const worker = new Worker(script, { workerData: this.cfg, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const t: Thread = { worker, pending: new Map() };
    t.worker.on('message', (m: { id: number; d: Decoded; input: ArrayBuffer; pre?: RawPrebuilt }) => {
      this.inputs.put(m.input);
      const resolve = t.pending.get(m.id);
      if (!resolve) return;
      t.pending.delete(m.id);
      const data = m.d.data as unknown as Uint8Array;
      const records = Buffer.from(data.buffer, data.byteOffset, data.length);
      resolve({ ...m.d, data: records, ...(m.pre ? { built: prebuiltBatches(m.pre, records, m.id) } : {}) });
    });
    // A thread that dies (out of memory) loses the pieces it held: their callers read them again (decoded here).
    const fail = () => {
      this.threads = this.threads.filter((x) => x !== t);
      for (const resolve of t.pending.values()) resolve(undefined);
      t.pending.clear();
    };
    t.worker.on('error', fail);
    t.worker.on('exit', fail);
    t.worker.unref();
    return t;
  }

  decode(req: DecodeRequest): Promise<Decoded | undefined> {
    const inline = req.bytes.length < this.inlineBelow;
    if (!inline) this.startThreads();
    if (inline || this.threads.length === 0) {
      const d = decodePiece(req, this.cfg);
      // Nothing decoded views its input (partial lines are copied): the piece's buffer is read into again. It is
      // taken from the caller as a thread would take it (transferred: the caller's view is detached, empty), so a
      // caller that used it again would find nothing rather than bytes being overwritten under it.
      if (req.bytes.byteOffset === 0) this.inputs.put(structuredClone(req.bytes.buffer as ArrayBuffer, { transfer: [req.bytes.buffer as ArrayBuffer] }));
      return Promise.resolve(d);
    }
    const t = this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    const spares = this.spares;
    this.spares = [];
    return new Promise((resolve) => {
      t.pending.set(id, resolve);
      t.worker.postMessage({ id, req, spares, sync: this.opts.batchCarry?.() }, [req.bytes.buffer as ArrayBuffer, ...spares]);
    });
  }

  alloc(size: number): Buffer {
    return this.inputs.take(size) ?? Buffer.allocUnsafeSlow(size);
  }

  release(d: Decoded): void {
    // Without threads nothing goes back: inline decoding writes each piece's records into new memory.
    if (this.threads.length === 0 || this.spares.length >= 1) return;
    const b = d.data.buffer as ArrayBuffer;
    if (d.data.byteOffset === 0 && b.byteLength >= 1 << 16) this.spares.push(b);
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}
