// Where full batches will start in the pieces a decode thread is given: the records waiting unbatched before each
// piece (its carry), predicted from the last commit the main thread reported and the pieces decoded since. A wrong
// guess costs only the bodies made ahead (the cut then builds inline), never a wrong batch.

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

  /** Piece `piece` was decoded into `records` records (whether or not it is committed as such). */
  decoded(piece: number, records: number): void {
    this.carry = (this.carry + records) % this.size;
    this.history.push({ piece, records });
    if (this.history.length > HISTORY) this.history.shift();
  }
}
