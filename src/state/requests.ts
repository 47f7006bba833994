// Requests to the process that owns the state (a `dlq replay` while a daemon runs): asked by another process, served
// by the owner in the transaction that carries them out.
import type { Statement } from 'better-sqlite3';

export class Requests {
  constructor(private readonly s: { insertRequest: Statement; requestResult: Statement; openRequests: Statement; finishRequest: Statement },
    private readonly now: () => number) {}

  ask(kind: string): number {
    return Number(this.s.insertRequest.run(kind, this.now()).lastInsertRowid);
  }

  /** What a served request returned, or undefined while it waits. */
  result(id: number): number | undefined {
    const r = this.s.requestResult.get(id) as { done_ms: number | null; result: number | null } | undefined;
    return r && r.done_ms !== null ? Number(r.result ?? 0) : undefined;
  }

  open(): { id: number; kind: string }[] {
    return this.s.openRequests.all() as { id: number; kind: string }[];
  }

  finish(id: number, result: number): void {
    this.s.finishRequest.run(this.now(), result, id);
  }
}
