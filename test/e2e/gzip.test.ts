// Compressed rotations (logrotate `compress` without `delaycompress`, while aflo-tail is stopped): the .gz file
// resumes at its checkpoint in the decompressed bytes; a .gz read before is not read again; a .gz still being
// written waits; a broken one is reported.
import { appendFileSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { slpLine } from '../helpers.js';
import { run } from './cli.js';
import { balanced, Daemon, deliveredIds, fastEnv, lastLog, status, useWorkspace, waitFor } from './harness.js';

const dir = useWorkspace();
let state: string, out: string, logs: string;
beforeEach(() => ({ state, out, logs } = dir));

const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => slpLine(`${prefix}-${i}`)).join('\n') + '\n';
const once = () => run(['--once', join(logs, 'app.log*')], fastEnv(state, out));
/** logrotate with `compress`: app.log → app.log.1 → app.log.1.gz (the plain file removed), a new app.log. */
function rotateCompressed(): void {
  const app = join(logs, 'app.log');
  renameSync(app, join(logs, 'app.log.1'));
  writeFileSync(join(logs, 'app.log.1.gz'), gzipSync(readFileSync(join(logs, 'app.log.1'))));
  unlinkSync(join(logs, 'app.log.1'));
}

describe('gzip rotations', () => {
  it('the unread tail of a file compressed while stopped is read from its checkpoint, once', async () => {
    writeFileSync(join(logs, 'app.log'), lines('a', 100));
    expect((await once()).code).toBe(0);
    appendFileSync(join(logs, 'app.log'), lines('tail', 50));
    rotateCompressed();
    writeFileSync(join(logs, 'app.log'), lines('new', 20));
    const r = await once();
    expect(r.code).toBe(0);
    const ids = deliveredIds(out);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(170);
    // Read to its end: the next run neither reads nor decompresses it again.
    const again = await once();
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('app.log.1.gz');
    expect(deliveredIds(out)).toHaveLength(170);
    expect(balanced(await status(state))).toBe(true);
  });

  it('a .gz never read is read whole; one still being written waits; a broken one is reported', async () => {
    writeFileSync(join(logs, 'app.log.3.gz'), gzipSync(Buffer.from(lines('old', 30))));
    const whole = gzipSync(Buffer.from(lines('w', 40)));
    writeFileSync(join(logs, 'app.log.2.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    const first = await once();
    expect(first.code).toBe(0);
    expect(deliveredIds(out)).toHaveLength(30);
    writeFileSync(join(logs, 'app.log.2.gz'), whole);
    expect((await once()).code).toBe(0);
    expect(deliveredIds(out)).toHaveLength(70);
    writeFileSync(join(logs, 'app.log.4.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('not gzip at all, just text')]));
    const broken = await once();
    expect(broken.code).toBe(1);
    expect(lastLog(broken.stderr).inputs).toEqual([{ path: join(logs, 'app.log.4.gz'), kind: 'unreadable', code: 'not gzip data (Z_DATA_ERROR)' }]);
    expect(deliveredIds(out)).toHaveLength(70);
  });

  it('a .gz beginning with the same banner as the file being followed is read, not kept waiting for it', async () => {
    const banner = Array.from({ length: 30 }, (_, i) => `INFO: LiteLLM proxy starting, worker ${i % 4} (${i})`).join('\n') + '\n';
    writeFileSync(join(logs, 'app.log'), banner + lines('live', 10));
    writeFileSync(join(logs, 'app.log.1.gz'), gzipSync(Buffer.from(banner + lines('old', 20))));
    expect((await once()).code).toBe(0);
    expect(deliveredIds(out)).toHaveLength(30);
  });

  it('daemon: compressed while the rotated file is still open; read through one of them, never both', async () => {
    writeFileSync(join(logs, 'app.log'), lines('a', 100));
    const d = new Daemon([join(logs, 'app.log*')], fastEnv(state, out));
    await waitFor(() => deliveredIds(out).length === 100, 'the first lines');
    renameSync(join(logs, 'app.log'), join(logs, 'app.log.1'));
    appendFileSync(join(logs, 'app.log.1'), lines('late', 10));
    writeFileSync(join(logs, 'app.log.1.gz'), gzipSync(readFileSync(join(logs, 'app.log.1'))));
    unlinkSync(join(logs, 'app.log.1'));
    writeFileSync(join(logs, 'app.log'), lines('new', 5));
    await waitFor(() => deliveredIds(out).length >= 115, 'the late and new lines');
    await new Promise((r) => setTimeout(r, 7000)); // past the rotated file's 5 s: the .gz is looked at then
    const r = await d.stop();
    expect(r.code).toBe(0);
    const ids = deliveredIds(out);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(115);
    expect(r.stderr).toContain('compressed file read to its end');
  });
});
