// A wake-up signal between the reading side and the sending side: wait until poked or a timeout passes.
export class Wakeup {
  private waiters: (() => void)[] = [];

  poke(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  /** Resolves on the next poke, after `ms`, or when `signal` aborts, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const finish = () => {
        const i = this.waiters.indexOf(finish);
        if (i >= 0) this.waiters.splice(i, 1);
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      timer.unref?.();
      signal?.addEventListener('abort', finish, { once: true });
      this.waiters.push(finish);
    });
  }
}
