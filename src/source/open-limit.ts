// A bound on the files held open (as Fluent Bit and Vector bound theirs): past it, the idle files that changed
// longest ago are let go; a scan that sees one change opens it again by path and identity.
import type { TrackedFile } from './tracked-file.js';

/**
 * Lets go of idle files until at most `max` are open, with `spare` more about to be opened; true when there is room
 * for them (files being read are never let go: a new file then waits for a later scan).
 */
export async function keepOpenAtMost(files: Iterable<TrackedFile>, max: number, spare = 0): Promise<boolean> {
  const open = [...files].filter((f) => f.isOpen);
  let over = open.length + spare - max;
  if (over <= 0) return true;
  const idle = open.filter((f) => f.idle && f.detachedAt === undefined).sort((a, b) => a.lastChangeMs - b.lastChangeMs);
  for (const f of idle) {
    if (over <= 0) break;
    await f.release();
    over--;
  }
  return over <= 0;
}
