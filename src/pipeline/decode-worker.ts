// A decode thread: parses and maps the pieces the main thread sends it, and returns their records.
import { parentPort, workerData } from 'node:worker_threads';
import { decodePiece, type DecodeConfig, type DecodeRequest } from './decode.js';
import { BufferShelf } from './buffer-shelf.js';

const cfg = workerData as DecodeConfig;
/** Record buffers the main thread is done with, written into again (no fresh memory per piece). */
const spares = new BufferShelf(2);

parentPort?.on('message', (msg: { id: number; req: DecodeRequest; spares: ArrayBuffer[] }) => {
  for (const b of msg.spares) spares.put(b);
  const d = decodePiece(msg.req, cfg, (size) => spares.take(size));
  // The records move to the main thread as they are (no copy), and the piece's bytes go back to be read into again.
  const input = msg.req.bytes.buffer as ArrayBuffer;
  const tags = d.tags ? [d.tags.key.buffer as ArrayBuffer, d.tags.value.buffer as ArrayBuffer] : [];
  parentPort!.postMessage({ id: msg.id, d, input }, [d.data.buffer as ArrayBuffer, input, ...tags]);
});
