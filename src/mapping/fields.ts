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

/** Marks a count that is given but negative or non-finite (docs/mapping.md §2). */
export const BAD_COUNT = -1;
const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** A count as docs/mapping.md §2 reads it: a number ≥ 0, undefined when not given, or BAD_COUNT. */
export function count(v: unknown): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (v === undefined || v === null || v === '' || v === 'None') return undefined;
  else if (typeof v === 'string') {
    if (!NUMERIC.test(v)) return /^\s*[-+]?(inf|infinity|nan)\s*$/i.test(v) ? BAD_COUNT : undefined;
    n = Number(v);
  } else return undefined;
  return Number.isFinite(n) && n >= 0 ? n : BAD_COUNT;
}

/** The first given count of several candidates (mapping's `??`); a bad one met first calls onBad and gives undefined. */
export function firstCount(values: unknown[], onBad: () => void): number | undefined {
  for (let i = 0; i < values.length; i++) {
    const c = count(values[i]);
    if (c === undefined) continue;
    if (c === BAD_COUNT) {
      onBad();
      return undefined;
    }
    return c;
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
