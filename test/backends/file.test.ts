// The file backend on a real directory, flushing to disk or not: objects at their keys, re-sends overwrite, a vanished
// directory is made again.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileBackend as makeFileBackend } from '../../src/backends/file.js';
import type { OutgoingBatch } from '../../src/backends/types.js';
import { tempDir } from '../helpers.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => { dir = tempDir(); });
afterEach(() => dir.remove());

const batch = (key: string, text: string): OutgoingBatch =>
  ({ id: 1, key, body: Buffer.from(text), records: () => [], eventCount: 1 });
const signal = new AbortController().signal;

describe.each([true, false])('file backend (fsync %s)', (fsync) => {
  const fileBackend = (outputDir: string) => makeFileBackend({ outputDir, fsync });

  it('removes temporary files a killed process left behind when it starts, and keeps the objects', async () => {
    const out = join(dir.path, 'out');
    const minute = join(out, 'p/2025/01/02/03/04');
    mkdirSync(minute, { recursive: true });
    writeFileSync(join(minute, 'merged_logs_a.json.gz'), 'object');
    writeFileSync(join(minute, 'merged_logs_b.json.gz.tmp-0a1b2c3d4e5f'), 'half written');
    expect(await fileBackend(out).check(signal)).toEqual({ ok: true });
    expect(readdirSync(minute)).toEqual(['merged_logs_a.json.gz']);
  });

  it('a write that fails leaves no temporary file', async () => {
    const out = join(dir.path, 'out');
    const minute = join(out, 'p/2025/01/02/03/04');
    mkdirSync(join(minute, 'merged_logs_c.json.gz'), { recursive: true }); // a directory where the object goes: rename fails
    expect((await fileBackend(out).send(batch('p/2025/01/02/03/04/merged_logs_c.json.gz', 'x'), signal)).kind).toBe('retry');
    expect(readdirSync(minute)).toEqual(['merged_logs_c.json.gz']);
  });

  it('writes each body at its key (no temporary file left) and a re-send overwrites it', async () => {
    const out = join(dir.path, 'out');
    const b = fileBackend(out);
    expect(await b.send(batch('p/2025/01/02/03/04/merged_logs_a.json.gz', 'one'), signal)).toEqual({ kind: 'accepted' });
    expect(await b.send(batch('p/2025/01/02/03/04/merged_logs_b.json.gz', 'two'), signal)).toEqual({ kind: 'accepted' });
    expect(await b.send(batch('p/2025/01/02/03/04/merged_logs_a.json.gz', 'one again'), signal)).toEqual({ kind: 'accepted' });
    const minute = join(out, 'p/2025/01/02/03/04');
    expect(readdirSync(minute).sort()).toEqual(['merged_logs_a.json.gz', 'merged_logs_b.json.gz']);
    expect(readFileSync(join(minute, 'merged_logs_a.json.gz'), 'utf8')).toBe('one again');
    // A new minute under an existing hour, and a new tree from the year down.
    expect(await b.send(batch('p/2025/01/02/03/05/merged_logs_c.json.gz', 'three'), signal)).toEqual({ kind: 'accepted' });
    expect(await b.send(batch('p/2026/02/03/04/05/merged_logs_d.json.gz', 'four'), signal)).toEqual({ kind: 'accepted' });
    expect(readFileSync(join(out, 'p/2025/01/02/03/05/merged_logs_c.json.gz'), 'utf8')).toBe('three');
    expect(readdirSync(join(out, 'p/2026/02/03/04/05'))).toEqual(['merged_logs_d.json.gz']);
  });

  it('sends under way at the same time all land (their directory flushes are shared)', async () => {
    const out = join(dir.path, 'out');
    const b = fileBackend(out);
    const keys = Array.from({ length: 24 }, (_, i) => `p/2025/01/02/03/0${i % 3}/merged_logs_${i}.json.gz`);
    const answers = await Promise.all(keys.map((k, i) => b.send(batch(k, `body ${i}`), signal)));
    expect(answers.every((a) => a.kind === 'accepted')).toBe(true);
    keys.forEach((k, i) => expect(readFileSync(join(out, k), 'utf8')).toBe(`body ${i}`));
  });

  it('a directory removed while running is made again: the batch is retried, then lands', async () => {
    const out = join(dir.path, 'out');
    const b = fileBackend(out);
    const key = 'x/2025/01/02/03/04/merged_logs_a.json.gz';
    expect((await b.send(batch(key, 'one'), signal)).kind).toBe('accepted');
    rmSync(out, { recursive: true });
    const first = await b.send(batch('x/2025/01/02/03/04/merged_logs_b.json.gz', 'two'), signal);
    expect(first.kind).toBe('retry');
    expect(await b.send(batch('x/2025/01/02/03/04/merged_logs_b.json.gz', 'two'), signal)).toEqual({ kind: 'accepted' });
    expect(readFileSync(join(out, 'x/2025/01/02/03/04/merged_logs_b.json.gz'), 'utf8')).toBe('two');
  });

  it('an output path that cannot be a directory is a retry naming the path', async () => {
    const out = join(dir.path, 'taken');
    writeFileSync(out, 'a file');
    const r = await fileBackend(out).send(batch('2025/01/02/03/04/merged_logs_a.json.gz', 'one'), signal);
    expect(r.kind).toBe('retry');
    expect(r.kind === 'retry' && r.reason).toContain(join(out, '2025/01/02/03/04/merged_logs_a.json.gz'));
  });
});
