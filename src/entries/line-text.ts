// Line-level helpers of the entry reader: decoding a line, byte offsets in it, an entry embedded after a fragment.
import { parseJson } from './json-text.js';
import { recognise } from './recognise.js';

export const MAX_RECOVERY_TRIES = 256;

/**
 * Byte offset in the raw line of the ASCII character at `text[i]`. Counting that character works where the text
 * was decoded with replacements (invalid UTF-8 never yields an ASCII byte); without the raw bytes, the line's end.
 */
export function byteOffset(rawLine: (() => Buffer) | undefined, text: string, i: number, lineBytes: number): number {
  if (rawLine === undefined) return lineBytes;
  const raw = rawLine();
  const ch = text.charCodeAt(i);
  let nth = 0;
  for (let k = text.indexOf(text[i]); k >= 0 && k < i; k = text.indexOf(text[i], k + 1)) nth++;
  let at = raw.indexOf(ch);
  for (; nth > 0 && at >= 0; nth--) at = raw.indexOf(ch, at + 1);
  return at < 0 ? lineBytes : Math.min(at, lineBytes);
}

/** The first complete usage entry that starts at a `{` inside a line, if any. */
export function embeddedEntry(text: string): { at: number; value: unknown } | undefined {
  let tries = 0;
  for (let i = text.indexOf('{'); i >= 0 && tries < MAX_RECOVERY_TRIES; i = text.indexOf('{', i + 1), tries++) {
    const parsed = parseJson(text.slice(i).trim());
    if (parsed.ok && recognise(parsed.value)) return { at: i, value: parsed.value };
  }
  return undefined;
}

/** Bytes `from`..`to` of `buf` as text, without a byte-order mark or a carriage return at the end. */
export function decode(buf: Buffer, from: number, to: number): string {
  let text = buf.toString('utf8', from, to);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
  return text;
}
