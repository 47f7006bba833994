// Tolerant JSON text helpers: parse with Python's bare NaN/Infinity read as null, and a brace/string-aware structure scan.

/** Parse JSON text; on failure retry with bare NaN / Infinity / -Infinity tokens (outside strings) replaced by null. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    if (!/NaN|Infinity/.test(text)) return { ok: false };
    const fixed = replaceNonFinite(text);
    if (fixed === text) return { ok: false };
    try {
      return { ok: true, value: JSON.parse(fixed) };
    } catch {
      return { ok: false };
    }
  }
}

function replaceNonFinite(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) { inString = true; continue; }
    for (const token of ['-Infinity', 'Infinity', 'NaN']) {
      if (text.startsWith(token, i)) {
        out += text.slice(last, i) + 'null';
        i += token.length - 1;
        last = i + 1;
        break;
      }
    }
  }
  return out + text.slice(last);
}

/** Where a brace/bracket structure stands after scanning some text. */
export type Structure = { depth: number; inString: boolean; escape: boolean; broken: boolean; closedAt: number };

export function newStructure(): Structure {
  return { depth: 0, inString: false, escape: false, broken: false, closedAt: -1 };
}

/**
 * Advance `s` over `text`. Stops right after the character that brings depth back to 0
 * (closedAt = index after it), so the caller can see what follows the closed value.
 */
export function scanStructure(s: Structure, text: string, from = 0): Structure {
  s.closedAt = -1;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (s.inString) {
      if (s.escape) s.escape = false;
      else if (c === 0x5c) s.escape = true;
      else if (c === 0x22) s.inString = false;
      continue;
    }
    if (c === 0x22) s.inString = true;
    else if (c === 0x7b || c === 0x5b) s.depth++;
    else if (c === 0x7d || c === 0x5d) {
      s.depth--;
      if (s.depth < 0) { s.broken = true; return s; }
      if (s.depth === 0) { s.closedAt = i + 1; return s; }
    }
  }
  return s;
}

/** True for lines that carry only JSON punctuation between pretty-printed array elements (`[`, `]`, `],`, `,`). */
export function isPunctuation(trimmed: string): boolean {
  return /^(?:\[|\],?|,)$/.test(trimmed);
}
