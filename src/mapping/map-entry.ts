// The mapper: one LiteLLM entry → its Amberflo meter event records (pure; same input, same bytes out).
import { createHash } from 'node:crypto';
import type { Obj } from '../entries/recognise.js';
import { baseDimensions } from './dimensions.js';
import { recordHead, recordText } from './encode.js';
import { firstText, obj } from './fields.js';
import { asCacheHit, mediaMeters, tokenLines, usageOf } from './meters.js';
import { OBJECT_METADATA_METER, objectMetadataList } from './object-metadata.js';
import { toMicros } from './time.js';
import type { EntryOrigin, MapResult, MappingOptions, MappedRecords, MeterEvent } from './types.js';

export function mapEntryRecords(slp: Obj, opts: MappingOptions, origin: EntryOrigin): MappedRecords {
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
  const records: string[] = [];

  if (opts.sendObjectMetadata) {
    const list = objectMetadataList(obj(slp.metadata) ?? {});
    const head = recordHead(undefined, opts.customerId);
    if (list) records.push(recordText(head, OBJECT_METADATA_METER, 1, startMs, JSON.stringify(list), false));
  }

  const head = recordHead(uniqueId, opts.customerId);
  const tokenBase = base === '' ? '' : base + ',';
  const baseWithError = errorFrag === '' ? base : base === '' ? errorFrag.slice(1) : base + errorFrag;
  let tokens = tokenLines(slp, usage, bad);
  if (slp.cache_hit === true || slp.cache_hit === 'True' || slp.cache_hit === 'true') tokens = asCacheHit(tokens);
  for (const t of tokens) {
    const ms = t.type === 'in' ? startMs : endMs;
    const frag = tokenBase + '"type":"' + t.type + '","cache":"' + t.cache + '"' + errorFrag;
    records.push(recordText(head, t.meter, t.value, ms, frag));
  }

  records.push(recordText(head, 'llm_requests', 1, startMs, baseWithError));
  if (start !== undefined && end !== undefined) {
    if (end >= start) records.push(recordText(head, 'llm_seconds', (end - start) / 1e6, endMs, baseWithError));
    else bad();
  }
  for (const [meter, value] of mediaMeters(slp, usage, bad)) records.push(recordText(head, meter, value, endMs, baseWithError));

  return { records, inconsistent, truncated, timeMissing };
}

/** The same mapping as objects, for callers that inspect events rather than ship them. */
export function mapEntry(slp: Obj, opts: MappingOptions, origin: EntryOrigin): MapResult {
  const r = mapEntryRecords(slp, opts, origin);
  return { events: r.records.map((t) => JSON.parse(t) as MeterEvent), inconsistent: r.inconsistent, truncated: r.truncated, timeMissing: r.timeMissing };
}

/** An entry without any id: a stable hash of where it sits in its source, so a re-read gives the same id. */
function fallbackId(origin: EntryOrigin): string {
  const h = createHash('sha256').update(`${origin.sourceId}\0${origin.start}\0${origin.index}`).digest('hex');
  return `aflo-${h.slice(0, 32)}`;
}
