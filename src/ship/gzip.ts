// gzip of batch bodies: the addon's (a deflate state per thread, reset for each body) when it is built, else
// zlib.gzipSync. Both are the zlib Node links, with the same parameters: the same bytes (test/ship/gzip.test.ts).
import { gzipSync } from 'node:zlib';
import { fastMapAddon } from '../mapping/fast-mapper.js';

export function gzipBody(data: Uint8Array, level: number): Buffer {
  const addon = fastMapAddon();
  return addon?.gzip(data, level) ?? gzipSync(data, { level });
}
