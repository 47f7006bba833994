// A decode thread: parses and maps the pieces the main thread sends it, returns their records, and makes the bodies
// of the full batches it expects them to hold (the main thread's gzip, moved off it).
import { parentPort, workerData } from 'node:worker_threads';
import { decodePiece, type DecodeConfig, type DecodeRequest } from './decode.js';
import { BufferShelf } from './buffer-shelf.js';
import { CarryPredictor, type CarrySync } from './batch-carry.js';
import { prebuild } from '../ship/prebuilt.js';

const cfg = workerData as DecodeConfig;
/** Record buffers the main thread is done with, written into again (no fresh memory per piece). */
const spares = new BufferShelf(2);
const carry = cfg.batchSize ? new CarryPredictor(cfg.batchSize) : undefined;

parentPort?.on('message', (msg: { id: number; req: DecodeRequest; spares: ArrayBuffer[]; sync?: CarrySync }) => {
  for (const b of msg.spares) spares.put(b);
  const d = decodePiece(msg.req, cfg, (size) => spares.take(size));
  carry?.sync(msg.sync);
  const pre = carry && cfg.batchSize ? prebuild(d, cfg.batchSize, carry.next, carry.waiting) : undefined;
  carry?.decoded(msg.id, d);
  // The records move to the main thread as they are (no copy), and the piece's bytes go back to be read into again.
  const input = msg.req.bytes.buffer as ArrayBuffer;
  const tags = d.tags ? [d.tags.key.buffer as ArrayBuffer, d.tags.value.buffer as ArrayBuffer] : [];
  const made = pre ? [pre.bodies.buffer as ArrayBuffer, ...(pre.span ? [pre.span.waiting.buffer as ArrayBuffer] : [])] : [];
  const moved = [d.data.buffer as ArrayBuffer, input, ...tags, ...made];
  parentPort!.postMessage({ id: msg.id, d, input, pre }, moved);
});
