// Inputs that cannot be read (a file or directory the service user may not open, a named path that is missing, a
// glob that matches nothing): found at each scan, logged once per change, shown in /metrics and /healthz.
import type { Logger } from 'pino';

/**
 * `unreadable`: exists but cannot be opened or listed (EACCES, EIO, not a regular file): nothing of it is read, health
 * is degraded and `--once` exits 1. `missing`: a path named without wildcards does not exist (yet). `no_match`: a glob
 * matches nothing (yet): a warning only.
 */
export type ProblemKind = 'unreadable' | 'missing' | 'no_match';

export interface InputProblem { path: string; kind: ProblemKind; code: string }

export class InputProblems {
  private current = new Map<string, InputProblem>();
  private next = new Map<string, InputProblem>();
  /** Times any input went from readable to a problem (a counter for /metrics). */
  appeared = 0;

  constructor(private readonly log: Logger) {}

  /** During a scan: `path` has this problem now. */
  note(path: string, kind: ProblemKind, code: string): void {
    this.next.set(path, { path, kind, code });
  }

  /** During a scan: `path` was read after all (it may have been noted before: a file found by a glob, opened). */
  clear(path: string): void {
    this.next.delete(path);
  }

  /** End of a scan: what changed since the last one is logged, once. */
  settle(): void {
    for (const [path, p] of this.next) {
      const was = this.current.get(path);
      if (was && was.kind === p.kind && was.code === p.code) continue;
      this.appeared++;
      const fields = { path, problem: p.kind, code: p.code };
      if (p.kind === 'unreadable') this.log.error(fields, 'cannot read an input; nothing of it is read until this is fixed (check its permissions for the user aflo-tail runs as)');
      else if (p.kind === 'missing') this.log.warn(fields, 'a named input does not exist; it is read once it appears');
      else this.log.warn(fields, 'a glob matches no file; files are read once they appear');
    }
    for (const [path, p] of this.current) {
      if (!this.next.has(path)) this.log.info({ path, was: p.kind }, 'input readable again');
    }
    this.current = this.next;
    this.next = new Map();
  }

  get list(): InputProblem[] {
    return [...this.current.values()];
  }

  /** The inputs nothing could be read from: health is degraded while there are any. */
  get unreadable(): InputProblem[] {
    return this.list.filter((p) => p.kind === 'unreadable');
  }
}
