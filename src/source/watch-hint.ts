// File-system events as a hint only: they wake the poller early; polling stays the source of truth.
import { watch } from 'chokidar';
import type { Logger } from 'pino';
import { watchRoot } from './glob.js';

export interface WatchHandle { close(): Promise<void> }

export async function watchForChanges(patterns: string[], onChange: () => void, log: Logger): Promise<WatchHandle | undefined> {
  const roots = [...new Set(patterns.map(watchRoot))];
  try {
    const w = watch(roots, { ignoreInitial: true, depth: 0, persistent: false });
    w.on('all', () => onChange());
    w.on('error', (err) => log.debug({ err: String(err) }, 'file watcher error; polling continues'));
    return { close: () => w.close() };
  } catch (err) {
    log.debug({ err: String(err) }, 'file watcher unavailable; polling only');
    return undefined;
  }
}
