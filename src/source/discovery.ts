// Discovery: each pattern expanded and each match stat'ed (one stat per file and scan), deduplicated by device +
// inode; what cannot be read (an unreadable directory, a missing named path, a directory named) is noted.
import { stat } from 'node:fs/promises';
import { expandGlob, hasMagic } from './glob.js';
import type { InputProblems } from './input-problems.js';

export interface Discovered { path: string; key: string; size: number; mtimeNs: bigint }

export async function discover(patterns: readonly string[], problems: InputProblems): Promise<Discovered[]> {
  const paths = new Set<string>();
  for (const p of patterns) {
    const found = await expandGlob(p);
    for (const e of found.errors) problems.note(e.path, 'unreadable', e.code);
    if (hasMagic(p) && found.paths.length === 0 && found.errors.length === 0) problems.note(p, 'no_match', 'ENOENT');
    for (const f of found.paths) paths.add(f);
  }
  const out: Discovered[] = [];
  const keys = new Set<string>();
  for (const path of paths) {
    let st;
    try {
      st = await stat(path, { bigint: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      // A glob's match that vanished since it was listed is not a problem; a named path that is missing is one.
      if (code !== 'ENOENT') problems.note(path, 'unreadable', code);
      else if (patterns.includes(path)) problems.note(path, 'missing', code);
      continue;
    }
    if (!st.isFile()) {
      if (patterns.includes(path)) problems.note(path, 'unreadable', st.isDirectory() ? 'EISDIR' : 'not a regular file');
      continue;
    }
    const key = `${st.dev}:${st.ino}`;
    if (keys.has(key)) continue;
    keys.add(key);
    out.push({ path, key, size: Number(st.size), mtimeNs: st.mtimeNs });
  }
  return out;
}
