// What the ledger counts a usage record under: its hour, meter and the dimensions a bill is read by, and its value.

/** The dimensions the ledger keeps, in key order (after the meter; the customer comes last). */
export const LEDGER_DIMENSIONS = ['type', 'cache', 'business_unit_id', 'model'] as const;
/** Every grouping `report` and `audit` accept: the meter, those dimensions, and the customer. */
export const LEDGER_GROUPS = ['meter', ...LEDGER_DIMENSIONS, 'customer'] as const;
export type LedgerGroup = (typeof LEDGER_GROUPS)[number];

/** Separates the parts of a key (never in a JSON string we keep: control characters are escaped there). */
export const SEP = '\u0000';
const HOUR_MS = 3_600_000;

export interface LedgerEntry {
  /** `hourMs` SEP meter SEP type SEP cache SEP business_unit_id SEP model SEP customer ('' when absent). */
  key: string;
  value: number;
}

/**
 * The key and value of a usage record; undefined for a record that is not usage (object metadata: no uniqueId) or
 * that cannot be read. This is the definition: native/ledger_tags.cc gives the same in one pass over the bytes.
 */
export function ledgerEntry(record: Buffer): LedgerEntry | undefined {
  let r: { uniqueId?: unknown; meterApiName?: unknown; meterValue?: unknown; meterTimeInMillis?: unknown; customerId?: unknown; dimensions?: unknown };
  try {
    r = JSON.parse(record.toString('utf8'));
  } catch {
    return undefined;
  }
  if (r === null || typeof r !== 'object' || r.uniqueId === undefined || typeof r.meterApiName !== 'string') return undefined;
  if (typeof r.meterValue !== 'number' || typeof r.meterTimeInMillis !== 'number' || !Number.isFinite(r.meterTimeInMillis)) return undefined;
  const dims = (r.dimensions !== null && typeof r.dimensions === 'object' ? r.dimensions : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
  let key = String(Math.floor(r.meterTimeInMillis / HOUR_MS) * HOUR_MS) + SEP + r.meterApiName;
  for (const d of LEDGER_DIMENSIONS) key += SEP + text(dims[d]);
  return { key: key + SEP + (typeof r.customerId === 'string' ? r.customerId : text(r.customerId)), value: r.meterValue };
}

/** A key's parts by name, with its hour. */
export function keyParts(key: string): { hourMs: number } & Record<LedgerGroup, string> {
  const [hour, meter, type, cache, business_unit_id, model, customer] = key.split(SEP);
  return { hourMs: Number(hour), meter, type, cache, business_unit_id, model, customer };
}
