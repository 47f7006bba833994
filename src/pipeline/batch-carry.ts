// Where full batches will start in the pieces a decode thread is given: the records waiting unbatched before each
// piece (its carry), predicted from the last commit the main thread reported and the pieces decoded since, and which
// records those are when they all come from the piece before. A wrong guess costs only the bodies made ahead (the
// cut then builds inline), never a wrong batch.
import { slabRange, type Slab } from '../state/slab.js';

/** After the commit of decoded piece `piece` (-1: before any), `carry` records waited for a batch. */
export interface CarrySync { piece: number; carry: number }

/** Pieces remembered: more than are ever decoded ahead of their commit. */
const HISTORY = 64;

export class CarryPredictor {
  private readonly history: { piece: number; records: number }[] = [];
  private carry = 0;

  constructor(private readonly size: number) {}

  /** The main thread's latest word: the carry is that commit's plus the records of every piece decoded after it. */
  sync(s: CarrySync | undefined): void {
    if (!s) return;
    const i = s.piece === -1 ? -1 : this.history.findIndex((h) => h.piece === s.piece);
    if (i === -1 && s.piece !== -1) return;
    if (s.piece === -1 && this.history.length > 0) return;
    let carry = s.carry;
    for (let j = i + 1; j < this.history.length; j++) carry += this.history[j].records;
    this.carry = carry % this.size;
  }

  /** The carry expected before the next piece. */
  get next(): number {
    return this.carry;
  }

  /**
   * The records expected to wait before the next piece, if they are the last ones of the piece decoded just before
   * (a copy): the batch that spans the two can be made ahead too.
   */
  get waiting(): Slab | undefined {
    const t = this.tail;
    return t && t.piece === this.history[this.history.length - 1]?.piece && t.slab.ends.length === this.carry && this.carry > 0 ? t.slab : undefined;
  }

  private tail?: { piece: number; slab: Slab };

  /** Piece `piece` was decoded into `records` (whether or not it is committed as such). */
  decoded(piece: number, records: Slab): void {
    const n = records.ends.length;
    this.carry = (this.carry + n) % this.size;
    this.history.push({ piece, records: n });
    if (this.history.length > HISTORY) this.history.shift();
    this.tail = undefined;
    if (this.carry === 0 || this.carry > n) return;
    const last = slabRange(records, n - this.carry, n);
    // Memory of its own: the piece's records move to the main thread, and this copy may follow them.
    const data = Buffer.allocUnsafeSlow(last.data.length);
    last.data.copy(data);
    this.tail = { piece, slab: { data, ends: last.ends } };
  }
}
