// Whether the state database can be written: a failed commit (full disk, a lock held past the busy timeout) is
// remembered with its reason until one succeeds, and each change is told once (not at every retry).
export interface WriteFailure { since: number; reason: string }

/** An error of the state database (better-sqlite3's SqliteError: SQLITE_FULL, SQLITE_BUSY, SQLITE_IOERR…). */
export function isStoreError(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('SQLITE_');
}

export class WriteHealth {
  /** Failing since `since`, or undefined while commits succeed. */
  failure?: WriteFailure;
  /** Called when `failure` changes. */
  onChange?: (failure: WriteFailure | undefined) => void;

  constructor(private readonly now: () => number) {}

  succeeded(): void {
    if (!this.failure) return;
    this.failure = undefined;
    this.onChange?.(undefined);
  }

  /** A commit failed with `err`; only errors of the database itself count. */
  failed(err: unknown): void {
    if (!isStoreError(err)) return;
    const reason = `${(err as { code: string }).code}: ${(err as Error).message}`;
    if (this.failure?.reason === reason) return;
    this.failure = { since: this.failure?.since ?? this.now(), reason };
    this.onChange?.(this.failure);
  }
}
