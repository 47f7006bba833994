// Totals of log files read again, as the daemon would map them, without touching any state (`audit --logs`):
// plain and gzip-compressed files, globs expanded; each file is counted as given.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { EntryReader } from '../entries/reader.js';
import type { MappingOptions } from '../mapping/types.js';
import { decodeWith, type Decoded } from '../pipeline/decode.js';
import { expandGlob } from '../source/glob.js';
import { isGzip } from '../source/gzip-input.js';
import { fileChunks } from '../commands/map.js';
import type { LedgerRow } from '../state/ledger-table.js';
import { keyParts } from './ledger-key.js';
import { KeyIndex, Summer } from './totals.js';

export interface LogTotals { files: string[]; unreadable: { path: string; code: string }[]; rows: LedgerRow[] }

async function firstBytes(path: string): Promise<Buffer> {
  const h = await open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await h.read(b, 0, 2, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await h.close();
  }
}

/** The ledger rows (read columns only) of the events the files map to, for meter times in `[startMs, endMs)`. */
export async function logTotals(patterns: string[], mapping: MappingOptions, maxLineBytes: number, startMs: number, endMs: number,
  now: () => number): Promise<LogTotals> {
  const sums = new Summer(new KeyIndex());
  const out: LogTotals = { files: [], unreadable: [], rows: [] };
  const cfg = { mapping, maxEntryBytes: maxLineBytes, tag: true };
  for (const pattern of patterns) {
    const { paths, errors } = await expandGlob(pattern);
    out.unreadable.push(...errors);
    for (const path of paths) {
      try {
        const gz = isGzip(await firstBytes(path));
        const stream: AsyncIterable<Buffer> = gz ? createReadStream(path).pipe(createGunzip()) : fileChunks(path);
        const reader = new EntryReader(maxLineBytes);
        const take = (d: Decoded) => { if (d.ends.length > 0) sums.addSlab({ data: d.data, ends: d.ends, tags: d.tags }); };
        for await (const chunk of stream) take(decodeWith(reader, chunk, 'no', cfg, path, now()));
        take(decodeWith(reader, null, 'final', cfg, path, now()));
        out.files.push(path);
      } catch (err) {
        out.unreadable.push({ path, code: (err as NodeJS.ErrnoException).code ?? 'EIO' });
      }
    }
  }
  const t = sums.take();
  for (let i = 0; i < t.ids.length; i++) {
    const p = keyParts(sums.index.keys[t.ids[i]]);
    if (p.hourMs < startMs || p.hourMs >= endMs) continue;
    out.rows.push({ hour_ms: p.hourMs, meter: p.meter, type: p.type, cache: p.cache, business_unit_id: p.business_unit_id, model: p.model,
      customer: p.customer, read_events: t.events[i], read_value: t.values[i], shipped_events: 0, shipped_value: 0, dead_events: 0, dead_value: 0 });
  }
  return out;
}
