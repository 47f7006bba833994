// The mapper: one LiteLLM entry → its Amberflo meter event records (pure; same input, same bytes out).
import type { Obj } from '../entries/recognise.js';
import { mapCallbackInto } from './callback-profile.js';
import { baseDimensions } from './dimensions.js';
import { fallbackId } from './entry-id.js';
import { recordHead, recordText } from './encode.js';
import { firstText, obj } from './fields.js';
import { asCacheHit, mediaMeters, tokenLines, usageOf } from './meters.js';
import { OBJECT_METADATA_METER, objectMetadataList } from './object-metadata.js';
import { toMicros } from './time.js';
import { METERS } from './vocabulary.js';
import { EntryRecords } from './entry-records.js';
import type { EntryNotes } from './entry-notes.js';
import { RecordBuffer } from './record-buffer.js';
import type { EntryOrigin, MapResult, MappingOptions, MeterEvent } from './types.js';


/** Writes the entry's event records into `out`, in the fixed field order of encode.ts. */
export function mapEntryInto(slp: Obj, opts: MappingOptions, origin: EntryOrigin, out: RecordBuffer): EntryNotes {
  if (opts.profile === 'callback') return mapCallbackInto(slp, opts, origin, out);
  let inconsistent = false;
  const bad = () => { inconsistent = true; };
  const usage = usageOf(slp);
  const { pairs, errorCode, truncated } = baseDimensions(slp, opts, usage.U);

  const start = toMicros(slp.startTime);
  const end = toMicros(slp.endTime);
  const timeMissing = start === undefined && end === undefined;
  const startMs = start !== undefined ? Math.floor(start / 1000) : end !== undefined ? Math.floor(end / 1000) : origin.fallbackTimeMs;
  const endMs = end !== undefined ? Math.floor(end / 1000) : startMs;

  const uniqueId = firstText([slp.request_id, slp.id, slp.litellm_call_id]) ?? fallbackId(origin);
  const records = new EntryRecords(out, recordHead(uniqueId, opts.customerId), pairs, errorCode, startMs, endMs);

  if (opts.sendObjectMetadata) {
    // One event per object, its dimensions that object (Amberflo's ingestion knows no list there).
    for (const o of objectMetadataList(obj(slp.metadata) ?? {})) {
      out.text(recordText(recordHead(undefined, opts.customerId), OBJECT_METADATA_METER, 1, startMs, JSON.stringify(o)), false);
      out.endRecord();
    }
  }

  // A value past the largest double (summed or multiplied counts) is no usage: the entry is inconsistent and that
  // meter left out. A record never holds a bare Infinity (invalid JSON would spoil its whole batch).
  const finite = (v: number) => Number.isFinite(v) || (bad(), false);
  let tokens = tokenLines(slp, usage, bad);
  if (slp.cache_hit === true || slp.cache_hit === 'True' || slp.cache_hit === 'true') tokens = asCacheHit(tokens);
  for (const t of tokens) if (finite(t.value)) records.token(t.meter, t.value, t.type === 'in', t.type, t.cache);
  records.plain(METERS.requests.name, 1, true);
  if (start !== undefined && end !== undefined) {
    if (end >= start && finite((end - start) / 1e6)) records.plain(METERS.seconds.name, (end - start) / 1e6, false);
    else if (end < start) bad();
  }
  for (const [meter, value] of mediaMeters(slp, usage, bad)) if (finite(value)) records.plain(meter, value, false);
  return { inconsistent, truncated, timeMissing };
}

/** The same mapping as objects, for callers that inspect events rather than ship them. */
export function mapEntry(slp: Obj, opts: MappingOptions, origin: EntryOrigin): MapResult {
  const out = new RecordBuffer(1024);
  const r = mapEntryInto(slp, opts, origin, out);
  return { events: out.strings().map((t) => JSON.parse(t) as MeterEvent), ...r };
}
