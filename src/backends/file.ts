// `file` backend: the object layout and gzip bodies in a local directory; a re-send overwrites the same name.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Backend, CheckResult, OutgoingBatch, SendResult } from './types.js';

export function fileBackend(outputDir: string): Backend {
  /** The directory the last batch went to: batches of the same minute share it, so it is made once (a failure forgets it). */
  let made = '';
  return {
    type: 'file',
    async send(batch: OutgoingBatch): Promise<SendResult> {
      const path = join(outputDir, batch.key);
      const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
      try {
        const dir = dirname(path);
        if (dir !== made) {
          await mkdir(dir, { recursive: true });
          made = dir;
        }
        await writeFile(tmp, batch.body);
        await rename(tmp, path);
        return { kind: 'accepted' };
      } catch (err) {
        made = '';
        return { kind: 'retry', reason: `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
      }
    },
    async check(): Promise<CheckResult> {
      try {
        await mkdir(outputDir, { recursive: true });
        return { ok: true };
      } catch (err) {
        return { ok: false, retryable: true, reason: `cannot create ${outputDir}: ${(err as NodeJS.ErrnoException).code}`, setting: 'AFLO_OUTPUT_DIR' };
      }
    },
    async close() {},
  };
}
