// A wake-up signal between the reading side and the sending side: wait until poked or a timeout passes.
import { sleep } from './retry.js';

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
      let done = false;
      const finish = () => { if (!done) { done = true; resolve(); } };
      this.waiters.push(finish);
      void sleep(ms, signal).then(finish);
    });
  }
}
