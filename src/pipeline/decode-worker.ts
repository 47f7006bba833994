// A decode thread: parses and maps the pieces the main thread sends it, and returns their records.
import { parentPort, workerData } from 'node:worker_threads';
import { decodePiece, type DecodeConfig, type DecodeRequest } from './decode.js';

const cfg = workerData as DecodeConfig;

parentPort?.on('message', (msg: { id: number; req: DecodeRequest }) => {
  const d = decodePiece(msg.req, cfg);
  // The record buffer moves to the main thread as it is (no copy); its input is not needed any more.
  parentPort!.postMessage({ id: msg.id, d }, [d.data.buffer as ArrayBuffer]);
});
