// Container log formats as a transport: Docker's json-file records (`{"log":…,"stream":…,"time":…}`) and the
// Kubernetes CRI format (`<time> <stream> P|F <text>`) are unwrapped into the lines the program wrote, and the
// partial records a runtime splits a line over 16 KiB into are joined again (as Fluent Bit's docker/cri parsers do).
import { parseJson } from './json-text.js';
import type { SkipReason } from './reader.js';

/** One record of a container log: the text it carries, its stream, and whether the line goes on in the next one. */
export interface ContainerLine { stream: string; text: string; partial: boolean }

const CRI = /^\d{4}-\d\d-\d\dT\S+ (stdout|stderr) ([PF])(?::\S*)?(?: (.*))?$/s;

/** The container record `text` is, or undefined when it is a line of its own (not a container log). */
export function containerLine(text: string): ContainerLine | undefined {
  if (text.startsWith('{"log":')) {
    const parsed = parseJson(text);
    if (!parsed.ok) return undefined;
    const v = parsed.value as { log?: unknown; stream?: unknown };
    if (typeof v.log !== 'string' || typeof v.stream !== 'string') return undefined;
    const partial = !v.log.endsWith('\n');
    return { stream: v.stream, text: partial ? v.log : v.log.slice(0, v.log.endsWith('\r\n') ? -2 : -1), partial };
  }
  const c = text.charCodeAt(0);
  if (c < 0x30 || c > 0x39) return undefined;
  const m = CRI.exec(text);
  return m ? { stream: m[1], text: m[3] ?? '', partial: m[2] === 'P' } : undefined;
}

/**
 * A line being joined from partial records: where its first record starts, its parts so far, and the whole records
 * of the other stream met meanwhile (held so that lines are given out in the order they start).
 */
export interface Joining {
  start: number; stream: string; parts: string[]; bytes: number; tooLong: boolean; held: [text: string, start: number, end: number][];
}

export function copyJoining(j: Joining | null): Joining | null {
  return j && { ...j, parts: [...j.parts], held: j.held.map((h) => [...h] as Joining['held'][number]) };
}

export interface JoinSink {
  /** A whole line the program wrote, from the byte where its first record starts to the end of its last. */
  line(text: string, start: number, end: number): void;
  skip(reason: SkipReason, start: number, end: number): void;
}

/**
 * Takes one container record (bytes `start..end`), given the line being joined; returns the line being joined
 * after it. Over `max` bytes a line is counted too long; its parts are not kept.
 */
export function joinRecord(j: Joining | null, rec: ContainerLine, start: number, end: number, max: number, out: JoinSink): Joining | null {
  if (j !== null && rec.stream !== j.stream) {
    if (rec.partial) {
      // Two streams both mid-line: the first is given up (counted) so that one line is joined at a time.
      abandon(j, start, out);
      return joinRecord(null, rec, start, end, max, out);
    }
    j.held.push([rec.text, start, end]);
    j.bytes += rec.text.length;
    if (j.bytes > max) { abandon(j, start, out); return null; }
    return j;
  }
  if (rec.partial) {
    const next = j ?? { start, stream: rec.stream, parts: [], bytes: 0, tooLong: false, held: [] };
    next.bytes += rec.text.length;
    if (next.bytes > max) { next.tooLong = true; next.parts = []; } else if (!next.tooLong) next.parts.push(rec.text);
    return next;
  }
  if (j === null) {
    out.line(rec.text, start, end);
    return null;
  }
  if (j.tooLong || j.bytes + rec.text.length > max) out.skip('too_long', j.start, end);
  else out.line(j.parts.join('') + rec.text, j.start, end);
  for (const [text, s, e] of j.held) out.line(text, s, e);
  return null;
}

/** A line that will not be completed: counted (a fragment that starts like an entry is invalid), then what was held. */
export function abandon(j: Joining, end: number, out: JoinSink): void {
  const first = j.parts[0]?.trimStart() ?? '';
  out.skip(j.tooLong ? 'too_long' : first.startsWith('{') || first.startsWith('[') ? 'invalid' : 'not_usage', j.start, end);
  for (const [text, s, e] of j.held) out.line(text, s, e);
}
