// The dead-letter table: events the backend refused for good (or that are not valid JSON), with the answer, kept
// until replayed. Written inside the store's transactions.
import type { Statement } from 'better-sqlite3';
import { recordTime } from './slab.js';

export interface DeadLetter { id: number; record: string; time_ms: number; status: number | null; reason: string; created_ms: number }

export class DeadLetters {
  constructor(private readonly s: { insertDeadLetter: Statement; deadLetters: Statement; deleteDeadLetter: Statement; deadLetterCount: Statement },
    private readonly now: () => number) {}

  add(record: Buffer, status: number | null, reason: string): void {
    this.s.insertDeadLetter.run(record.toString('utf8'), recordTime(record), status, reason, this.now());
  }

  all(): DeadLetter[] {
    return this.s.deadLetters.all() as DeadLetter[];
  }

  /** Removes every dead letter and returns them (to be put back into the buffer). */
  takeAll(): DeadLetter[] {
    const rows = this.all();
    for (const r of rows) this.s.deleteDeadLetter.run(r.id);
    return rows;
  }

  count(): number {
    return (this.s.deadLetterCount.get() as { n: number }).n;
  }
}
