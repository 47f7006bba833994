// The events not yet in a batch: their records in memory, in order (the durable copy is in segment rows).
import { slabRange, type Slab } from './segments.js';

export class PendingRecords {
  private slabs: { slab: Slab; createdMs: number }[] = [];
  /** Records of the first slab before this one are taken already. */
  private from = 0;
  private n = 0;
  /** Memory for the records left over after a commit's batches (see `detach`). */
  private carry?: Buffer;

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
   * When nothing else waits (the common case), into the one buffer kept for that: what it held before has gone
   * into batches.
   */
  detach(buffer: ArrayBufferLike): void {
    const last = this.slabs[this.slabs.length - 1];
    if (!last || last.slab.data.buffer !== buffer) return;
    const alone = this.slabs.length === 1;
    const rest = slabRange(last.slab, alone ? this.from : 0, last.slab.ends.length);
    let data: Buffer;
    if (!alone) data = Buffer.from(rest.data);
    else {
      if (!this.carry || this.carry.length < rest.data.length) this.carry = Buffer.allocUnsafeSlow(Math.max(rest.data.length, 1 << 19));
      rest.data.copy(this.carry);
      data = this.carry.subarray(0, rest.data.length);
      this.from = 0;
    }
    last.slab = { data, ends: rest.ends };
  }
}
