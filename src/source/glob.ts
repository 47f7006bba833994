// Expands a path pattern with *, ? and [...] in any segment (no `**`), as the shell would, sorted.
import { readdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

const MAGIC = /[*?[]/;

export function hasMagic(pattern: string): boolean {
  return MAGIC.test(pattern);
}

function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) { re += '\\['; continue; }
      let body = segment.slice(i + 1, close);
      if (body[0] === '!') body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A directory a pattern passes through that could not be listed (EACCES, ENOTDIR, EIO: anything but ENOENT). */
export interface GlobError { path: string; code: string }

/**
 * Paths matching `pattern`, sorted; a pattern without wildcards is returned as it is. Whether each exists and is a
 * file is for the caller to check (it stats them anyway: one stat per file and scan, not two). Directories that
 * exist but cannot be listed are returned as errors: a glob never hides an unreadable directory as "no match".
 */
export async function expandGlob(pattern: string): Promise<{ paths: string[]; errors: GlobError[] }> {
  if (!hasMagic(pattern)) return { paths: [pattern], errors: [] };
  const errors: GlobError[] = [];
  const parts = pattern.split('/');
  let bases = [isAbsolute(pattern) ? '/' : '.'];
  for (let i = isAbsolute(pattern) ? 1 : 0; i < parts.length; i++) {
    const seg = parts[i];
    if (seg === '' || seg === '.') continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasMagic(seg)) { next.push(join(base, seg)); continue; }
      const re = segmentRegex(seg);
      let names: string[];
      try {
        names = await readdir(base);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
        if (code !== 'ENOENT') errors.push({ path: base, code });
        continue;
      }
      for (const n of names) if (re.test(n) && (n[0] !== '.' || seg[0] === '.')) next.push(join(base, n));
    }
    bases = next;
  }
  return { paths: bases.sort(), errors };
}

/** Directories to watch for early wake-ups: the literal part of each pattern. */
export function watchRoot(pattern: string): string {
  const parts = pattern.split('/');
  const i = parts.findIndex((p) => hasMagic(p));
  const literal = (i < 0 ? parts.slice(0, -1) : parts.slice(0, i)).join('/');
  return literal === '' ? (isAbsolute(pattern) ? '/' : '.') : literal;
}
