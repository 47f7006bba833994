// The id of an entry that carries none: a stable hash of where it sits in its source, so a re-read gives the same id.
import { createHash } from 'node:crypto';
import type { EntryOrigin } from './types.js';

export function fallbackId(origin: EntryOrigin): string {
  const h = createHash('sha256').update(`${origin.sourceId}\0${origin.start}\0${origin.index}`).digest('hex');
  return `aflo-${h.slice(0, 32)}`;
}
