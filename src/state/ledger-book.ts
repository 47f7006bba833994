// The store's side of the ledger: what each of its transactions adds (read, a batch's totals, shipped, dead-lettered),
// each batch's totals from its cut to its acknowledgement, and what a rolled-back transaction must forget. A
// transaction's sums are written once, at its end (`flush`): one row write per key, however many kinds it touched.
import { KeyIndex, Summer, type Tally } from '../ledger/totals.js';
import { bodyRecords } from '../ship/batch-body.js';
import { LedgerTable, type LedgerKind } from './ledger-table.js';
import type { Slab } from './slab.js';

export class LedgerBook {
  readonly table: LedgerTable;
  /** Sums, taken at each use (reset when a transaction rolls back). */
  private readonly sums = new Summer(new KeyIndex());
  /** What the transaction under way adds to the ledger, by kind, until `flush` writes it. */
  private readonly pending: Record<LedgerKind, Summer> = {
    read: new Summer(this.sums.index), shipped: new Summer(this.sums.index), dead: new Summer(this.sums.index),
  };
  /** The totals of batches cut by this process (others, cut before a restart, are read from their bodies). */
  private readonly totals = new Map<number, Tally>();
  /** Batches given totals in the transaction under way (forgotten if it rolls back: their ids are used again), and
   *  batches it deleted (their totals forgotten once it commits). */
  private made: number[] = [];
  private gone: number[] = [];

  constructor(statements: ConstructorParameters<typeof LedgerTable>[0]) {
    this.table = new LedgerTable(statements, this.sums.index);
  }

  begin(): void {
    this.made = [];
    this.gone = [];
  }

  committed(): void {
    for (const id of this.gone) this.totals.delete(id);
  }

  /** Inside the transaction, as its last step: its sums go into the ledger's rows. */
  flush(): void {
    const { read, shipped, dead } = this.pending;
    this.table.add({ read: read.take(), shipped: shipped.take(), dead: dead.take() });
  }

  rolledBack(): void {
    this.table.forget();
    this.sums.reset();
    for (const s of Object.values(this.pending)) s.reset();
    for (const id of this.made) this.totals.delete(id);
  }

  /** Records committed into the buffer. */
  read(records: Slab): void {
    this.pending.read.addSlab(records);
  }

  /** The totals of a batch cut from `parts`, less its `refused` records (which are dead-lettered). */
  cut(parts: Slab[], refused: Buffer[]): Tally {
    for (const p of parts) this.sums.addSlab(p);
    if (refused.length === 0) return this.sums.take();
    const totals = this.sums.addRecords(refused, -1).take();
    this.dead(refused);
    return totals;
  }

  /** The totals of a batch of these records (a refused batch's halves). */
  of(records: Buffer[]): Tally {
    return this.sums.addRecords(records).take();
  }

  batchMade(id: number, totals: Tally): void {
    this.totals.set(id, totals);
    this.made.push(id);
  }

  batchGone(id: number): void {
    this.gone.push(id);
  }

  /** Batches the backend accepted: their totals, kept since their cut or read from their bodies. */
  shipped(batches: { id: number; body: Buffer }[]): void {
    const tallies = batches.map((b) => this.totals.get(b.id) ?? this.sums.addRecords(bodyRecords(b.body)).take());
    for (const t of tallies) this.pending.shipped.addTally(t);
  }

  /** Records moved to the dead-letter table (`sign` -1: replayed out of it). */
  dead(records: Buffer[], sign = 1): void {
    this.pending.dead.addRecords(records, sign);
  }
}

