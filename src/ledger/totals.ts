// Ledger totals: events and the sum of their values per key (ledger-key.ts). A decode thread tags each record with
// its key once (the native pass, ledger-key.ts for what it leaves); sums are then kept in arrays indexed by a small
// number per key (KeyIndex), and a batch's totals are three short typed arrays (Tally): no object per record or key.
import { fastMapAddon } from '../mapping/fast-mapper.js';
import { slabRecord, type RecordTags, type Slab } from '../state/slab.js';
import { LEDGER_DIMENSIONS, ledgerEntry } from './ledger-key.js';

/** The ledger key of every record of the slab; `native` false: all in JavaScript (the reference, and tests). */
export function tagRecords(s: Slab, native = true): RecordTags {
  const n = s.ends.length;
  const key = new Int32Array(n);
  const value = new Float64Array(n);
  // An addon built before it had the pass (a stale build): JavaScript reads every record.
  const addon = native && typeof fastMapAddon()?.ledgerTags === 'function' ? fastMapAddon() : null;
  const left = addon?.protocol.ledgerLeftToJs ?? -2;
  let keys: string[] = [];
  if (addon) keys = addon.ledgerTags(s.data, Uint32Array.from(s.ends), LEDGER_DIMENSIONS, key, value);
  else key.fill(left);
  let index: Map<string, number> | undefined;
  for (let i = 0; i < n; i++) {
    if (key[i] !== left) continue;
    const e = ledgerEntry(slabRecord(s, i));
    if (!e) {
      key[i] = -1;
      continue;
    }
    index ??= new Map(keys.map((k, j) => [k, j]));
    let k = index.get(e.key);
    if (k === undefined) index.set(e.key, (k = keys.push(e.key) - 1));
    key[i] = k;
    value[i] = e.value;
  }
  return { keys, key, value };
}

/** Ledger keys as small numbers, for the life of the process. */
export class KeyIndex {
  private readonly ids = new Map<string, number>();
  readonly keys: string[] = [];
  /** The numbers of a piece's key list, worked out once per piece. */
  private readonly perPiece = new WeakMap<string[], Int32Array>();

  id(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) this.ids.set(key, (id = this.keys.push(key) - 1));
    return id;
  }

  idsOf(tags: RecordTags): Int32Array {
    let ids = this.perPiece.get(tags.keys);
    if (!ids) this.perPiece.set(tags.keys, (ids = Int32Array.from(tags.keys, (k) => this.id(k))));
    return ids;
  }
}

/** Events and value per key number: the totals of a batch or a transaction. */
export interface Tally { ids: Int32Array; events: Float64Array; values: Float64Array }

/** Sums per key number, handed out as a Tally by `take` (which starts the next sum afresh). */
export class Summer {
  private events = new Float64Array(256);
  private values = new Float64Array(256);
  private marked = new Uint8Array(256);
  private touched: number[] = [];

  constructor(readonly index: KeyIndex) {}

  add(id: number, events: number, value: number): void {
    if (id >= this.marked.length) this.grow(id);
    if (this.marked[id] === 0) {
      this.marked[id] = 1;
      this.touched.push(id);
    }
    this.events[id] += events;
    this.values[id] += value;
  }

  /** The slab's records (`sign` -1: takes them away). */
  addSlab(s: Slab, sign = 1): this {
    const tags = s.tags ?? tagRecords(s);
    const ids = this.index.idsOf(tags);
    for (let i = 0; i < tags.key.length; i++) {
      const k = tags.key[i];
      if (k >= 0) this.add(ids[k], sign, sign * tags.value[i]);
    }
    return this;
  }

  addRecords(records: Buffer[], sign = 1): this {
    for (const r of records) {
      const e = ledgerEntry(r);
      if (e) this.add(this.index.id(e.key), sign, sign * e.value);
    }
    return this;
  }

  addTally(t: Tally): this {
    for (let i = 0; i < t.ids.length; i++) this.add(t.ids[i], t.events[i], t.values[i]);
    return this;
  }

  take(): Tally {
    const n = this.touched.length;
    const t: Tally = { ids: new Int32Array(n), events: new Float64Array(n), values: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      const id = this.touched[i];
      t.ids[i] = id;
      t.events[i] = this.events[id];
      t.values[i] = this.values[id];
    }
    this.reset();
    return t;
  }

  /** Drops what was added since the last `take` (a transaction that rolled back). */
  reset(): void {
    for (const id of this.touched) {
      this.events[id] = 0;
      this.values[id] = 0;
      this.marked[id] = 0;
    }
    this.touched = [];
  }

  private grow(id: number): void {
    const size = Math.max(id + 1, this.marked.length * 2);
    const grown = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T) => { const b = make(size); b.set(a); return b; };
    this.events = grown(this.events, (n) => new Float64Array(n));
    this.values = grown(this.values, (n) => new Float64Array(n));
    this.marked = grown(this.marked, (n) => new Uint8Array(n));
  }
}
