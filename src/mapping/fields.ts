// Readers for LiteLLM fields: paths, "not given" values, counts (number or numeric string) and non-empty strings.
import { isObj, type Obj } from '../entries/recognise.js';

const splitPaths = new Map<string, string[]>();

/** Follows a dotted path through objects; anything that is not an object on the way gives undefined. */
export function at(root: unknown, path: string): unknown {
  let keys = splitPaths.get(path);
  if (keys === undefined) {
    keys = path.split('.');
    splitPaths.set(path, keys);
  }
  let cur: unknown = root;
  for (let i = 0; i < keys.length; i++) {
    if (!isObj(cur)) return undefined;
    cur = cur[keys[i]];
  }
  return cur;
}

export function obj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

/** A count as mapping.md §2 reads it: given (finite, ≥ 0), not given, or bad (negative / non-finite). */
export type Count = { kind: 'none' } | { kind: 'bad' } | { kind: 'ok'; value: number };

const NONE: Count = { kind: 'none' };
const BAD: Count = { kind: 'bad' };

export function count(v: unknown): Count {
  if (v === undefined || v === null || v === '' || v === 'None') return NONE;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) n = Number(v);
  else if (typeof v === 'string' && /^\s*[-+]?(inf|infinity|nan)\s*$/i.test(v)) return BAD;
  else return typeof v === 'boolean' || typeof v === 'object' ? NONE : BAD;
  if (!Number.isFinite(n) || n < 0) return BAD;
  return { kind: 'ok', value: n };
}

/** The first given count of several candidates (mapping's `??`), remembering whether a bad one was met first. */
export function firstCount(values: unknown[], onBad: () => void): number | undefined {
  for (const v of values) {
    const c = count(v);
    if (c.kind === 'ok') return c.value;
    if (c.kind === 'bad') {
      onBad();
      return undefined;
    }
  }
  return undefined;
}

/** A non-empty string dimension source; numbers are accepted as their decimal text. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' || t === 'None' || t === 'null' ? undefined : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function firstText(values: unknown[]): string | undefined {
  for (const v of values) {
    const t = text(v);
    if (t !== undefined) return t;
  }
  return undefined;
}
