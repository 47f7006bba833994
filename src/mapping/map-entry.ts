// The mapper: one LiteLLM entry → its Amberflo meter event records (pure; same input, same bytes out).
import { createHash } from 'node:crypto';
import type { Obj } from '../entries/recognise.js';
import { baseDimensions } from './dimensions.js';
import { recordHead, recordText } from './encode.js';
import { firstText, obj } from './fields.js';
import { asCacheHit, mediaMeters, tokenLines, usageOf } from './meters.js';
import { OBJECT_METADATA_METER, objectMetadataList } from './object-metadata.js';
import { toMicros } from './time.js';
import { RecordBuffer } from './record-buffer.js';
import type { EntryOrigin, MapResult, MappingOptions, MeterEvent } from './types.js';

/** What mapping one entry noticed, beside the records it wrote. */
export interface EntryStats { inconsistent: boolean; truncated: number; timeMissing: boolean }

const meterLiterals = new Map<string, Buffer>();
/** `"meterApiName":"<name>","meterValue":`, encoded once per meter name. */
function meterLiteral(name: string): Buffer {
  let lit = meterLiterals.get(name);
  if (lit === undefined) meterLiterals.set(name, (lit = Buffer.from('"meterApiName":' + JSON.stringify(name) + ',"meterValue":')));
  return lit;
}

const TIME_KEY = Buffer.from(',"meterTimeInMillis":');
const DIMENSIONS_KEY = Buffer.from(',"dimensions":{');
const RECORD_END = Buffer.from('}}');
const COMMA = Buffer.from(',');
const [HEAD, BASE, ERROR, ERROR_ALONE] = [0, 1, 2, 3];

/** Writes the entry's event records into `out`, in the fixed field order of encode.ts. */
export function mapEntryInto(slp: Obj, opts: MappingOptions, origin: EntryOrigin, out: RecordBuffer): EntryStats {
  let inconsistent = false;
  const bad = () => { inconsistent = true; };
  const usage = usageOf(slp);
  const { fragment: base, errorFragment: errorFrag, truncated } = baseDimensions(slp, opts, usage.U);

  const start = toMicros(slp.startTime);
  const end = toMicros(slp.endTime);
  const timeMissing = start === undefined && end === undefined;
  const startMs = start !== undefined ? Math.floor(start / 1000) : end !== undefined ? Math.floor(end / 1000) : origin.fallbackTimeMs;
  const endMs = end !== undefined ? Math.floor(end / 1000) : startMs;

  const uniqueId = firstText([slp.request_id, slp.id, slp.litellm_call_id]) ?? fallbackId(origin);
  // The entry's own parts (head, dimensions, error code) are encoded once, in its first record, and copied after.
  const texts = [recordHead(uniqueId, opts.customerId), base, errorFrag, errorFrag.slice(1)];
  const at = [-1, -1, -1, -1];
  const len = [0, 0, 0, 0];
  const part = (i: number) => {
    if (texts[i] === '') return;
    if (at[i] >= 0) return out.repeat(at[i], at[i] + len[i]);
    at[i] = out.textAt(texts[i]);
    len[i] = out.byteLength - at[i];
  };
  const write = (meter: string, value: number, ms: number, token?: Buffer) => {
    part(HEAD);
    out.put(meterLiteral(meter));
    out.number(value);
    out.put(TIME_KEY);
    out.number(ms);
    out.put(DIMENSIONS_KEY);
    if (token === undefined) {
      // The error code follows the base directly, without its comma when there is no base.
      part(BASE);
      part(base === '' ? ERROR_ALONE : ERROR);
    } else {
      if (base !== '') {
        part(BASE);
        out.put(COMMA);
      }
      out.put(token);
      part(ERROR);
    }
    out.put(RECORD_END);
    out.endRecord();
  };

  if (opts.sendObjectMetadata) {
    const list = objectMetadataList(obj(slp.metadata) ?? {});
    if (list) {
      const text = recordText(recordHead(undefined, opts.customerId), OBJECT_METADATA_METER, 1, startMs, JSON.stringify(list));
      out.text(text, false);
      out.endRecord();
    }
  }

  let tokens = tokenLines(slp, usage, bad);
  if (slp.cache_hit === true || slp.cache_hit === 'True' || slp.cache_hit === 'true') tokens = asCacheHit(tokens);
  for (const t of tokens) write(t.meter, t.value, t.type === 'in' ? startMs : endMs, TYPE_CACHE[t.type][t.cache]);
  write('llm_requests', 1, startMs);
  if (start !== undefined && end !== undefined) {
    if (end >= start) write('llm_seconds', (end - start) / 1e6, endMs);
    else bad();
  }
  for (const [meter, value] of mediaMeters(slp, usage, bad)) write(meter, value, endMs);
  return { inconsistent, truncated, timeMissing };
}

const TYPE_CACHE = {
  in: { r: Buffer.from('"type":"in","cache":"r"'), c: Buffer.from('"type":"in","cache":"c"'), n: Buffer.from('"type":"in","cache":"n"') },
  out: { r: Buffer.from('"type":"out","cache":"r"'), c: Buffer.from('"type":"out","cache":"c"'), n: Buffer.from('"type":"out","cache":"n"') },
};

/** The same mapping as objects, for callers that inspect events rather than ship them. */
export function mapEntry(slp: Obj, opts: MappingOptions, origin: EntryOrigin): MapResult {
  const out = new RecordBuffer(1024);
  const r = mapEntryInto(slp, opts, origin, out);
  return { events: out.strings().map((t) => JSON.parse(t) as MeterEvent), ...r };
}

/** An entry without any id: a stable hash of where it sits in its source, so a re-read gives the same id. */
function fallbackId(origin: EntryOrigin): string {
  const h = createHash('sha256').update(`${origin.sourceId}\0${origin.start}\0${origin.index}`).digest('hex');
  return `aflo-${h.slice(0, 32)}`;
}
