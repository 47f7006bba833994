// Decode threads: pieces go to the least busy one; without threads (or if one dies) pieces are decoded inline.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BufferShelf } from './buffer-shelf.js';
import { decodePiece, type DecodeConfig, type Decoded, type DecodeRequest } from './decode.js';

export interface Decoder {
  /**
   * Decodes a piece. Its bytes move to the thread (they must not be used again, and must not share their memory
   * with anything else); undefined when the thread died with them: the caller reads them again.
   */
  decode(req: DecodeRequest): Promise<Decoded | undefined>;
  /** Memory to read a piece into (a buffer a thread gave back, else a new one). */
  alloc(size: number): Buffer;
  /** The caller is done with a piece's records (nothing views them any more): a thread writes into them again. */
  release(d: Decoded): void;
  close(): Promise<void>;
}

const YOUNG_GENERATION_MB = 12;

type Pending = (d: Decoded | undefined) => void;
interface Thread { worker: Worker; pending: Map<number, Pending> }

export class DecodePool implements Decoder {
  private threads: Thread[] = [];
  private nextId = 0;
  /** Piece buffers the threads gave back, and record buffers to give them (only while there are threads). */
  private readonly inputs = new BufferShelf(4);
  private spares: ArrayBuffer[] = [];

  /** Resolves once every thread is running (or has failed to start). */
  readonly started: Promise<void>;

  /** `threads` 0, or a build without the compiled thread script (tests run from sources), decodes inline. */
  constructor(private readonly cfg: DecodeConfig, threads: number) {
    const script = new URL('./decode-worker.js', import.meta.url);
    if (existsSync(fileURLToPath(script))) for (let i = 0; i < threads; i++) this.threads.push(this.start(script));
    this.started = Promise.all(this.threads.map((t) => new Promise<void>((resolve) => {
      t.worker.once('online', resolve);
      t.worker.once('exit', resolve);
    }))).then(() => undefined);
  }

  private start(script: URL): Thread {
    // What a piece allocates dies with it: a small young generation costs little time and ~10 MB less memory.
    const worker = new Worker(script, { workerData: this.cfg, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const t: Thread = { worker, pending: new Map() };
    t.worker.on('message', (m: { id: number; d: Decoded; input: ArrayBuffer }) => {
      this.inputs.put(m.input);
      const resolve = t.pending.get(m.id);
      if (!resolve) return;
      t.pending.delete(m.id);
      const data = m.d.data as unknown as Uint8Array;
      resolve({ ...m.d, data: Buffer.from(data.buffer, data.byteOffset, data.length) });
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
    if (this.threads.length === 0) return Promise.resolve(decodePiece(req, this.cfg));
    const t = this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    const spares = this.spares;
    this.spares = [];
    return new Promise((resolve) => {
      t.pending.set(id, resolve);
      t.worker.postMessage({ id, req, spares }, [req.bytes.buffer as ArrayBuffer, ...spares]);
    });
  }

  alloc(size: number): Buffer {
    return this.inputs.take(size) ?? Buffer.allocUnsafeSlow(size);
  }

  release(d: Decoded): void {
    // Inline decoding keeps nothing: a reader state may view its input, and buffers are not shared with a thread.
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
