// The events not yet in a batch: their records in memory, in order (the durable copy is in segment rows).
import { slabRange, type Slab } from './slab.js';

/** The queue as it stood, to be put back when the transaction that changed it rolls back. */
export interface PendingSnapshot { slabs: { slab: Slab; createdMs: number }[]; from: number; n: number; carry: number }

export class PendingRecords {
  private slabs: { slab: Slab; createdMs: number }[] = [];
  /** Records of the first slab before this one are taken already. */
  private from = 0;
  private n = 0;
  /**
   * Memory for the records left over after a commit's batches (see `detach`), two used in turn: the one the queue
   * may view now is never written, so a snapshot taken before a transaction stays intact if it rolls back.
   */
  private readonly carries: (Buffer | undefined)[] = [undefined, undefined];
  private carry = 0;

  snapshot(): PendingSnapshot {
    return { slabs: this.slabs.map((s) => ({ ...s })), from: this.from, n: this.n, carry: this.carry };
  }

  restore(s: PendingSnapshot): void {
    this.slabs = s.slabs;
    this.from = s.from;
    this.n = s.n;
    this.carry = s.carry;
  }

  get count(): number {
    return this.n;
  }

  get oldestMs(): number | undefined {
    return this.n === 0 ? undefined : this.slabs[0].createdMs;
  }

  push(slab: Slab, createdMs: number): void {
    this.slabs.push({ slab, createdMs });
    this.n += slab.ends.length;
  }

  /** The first `n` records, in parts (views of the slabs they are in, valid until the next `detach`). */
  take(n: number): Slab[] {
    const parts: Slab[] = [];
    this.n -= n;
    while (n > 0) {
      const head = this.slabs[0].slab;
      const to = Math.min(head.ends.length, this.from + n);
      parts.push(slabRange(head, this.from, to));
      n -= to - this.from;
      if (to === head.ends.length) {
        this.slabs.shift();
        this.from = 0;
      } else this.from = to;
    }
    return parts;
  }

  /**
   * Copies out the records still waiting that view `buffer` (the last slab pushed), so that its owner may reuse it.
   * When nothing else waits (the common case), into a buffer kept for that: what the queue held before has gone
   * into batches (the other kept buffer may still hold it for a snapshot).
   */
  detach(buffer: ArrayBufferLike): void {
    const last = this.slabs[this.slabs.length - 1];
    if (!last || last.slab.data.buffer !== buffer) return;
    const alone = this.slabs.length === 1;
    const rest = slabRange(last.slab, alone ? this.from : 0, last.slab.ends.length);
    let data: Buffer;
    if (!alone) data = Buffer.from(rest.data);
    else {
      this.carry = 1 - this.carry;
      let carry = this.carries[this.carry];
      if (!carry || carry.length < rest.data.length) this.carries[this.carry] = carry = Buffer.allocUnsafeSlow(Math.max(rest.data.length, 1 << 19));
      rest.data.copy(carry);
      data = carry.subarray(0, rest.data.length);
      this.from = 0;
    }
    // A copy is no longer what any prebuilt body was made of (ship/prebuilt.ts): it does not keep them alive.
    last.slab = { data, ends: rest.ends, ...(rest.tags ? { tags: rest.tags } : {}) };
  }
}
