// Container log files: Docker json-file and CRI records unwrapped, lines over 16 KiB joined from their partial
// records across chunks and resumes, orphan fragments counted as invalid, never as not_usage.
import { describe, expect, it } from 'vitest';
import { EntryReader } from '../../src/entries/reader.js';
import { criRecords, dockerRecords } from '../fixtures/container.js';
import { readAll, slpLine } from '../helpers.js';

const ids = (f: ReturnType<typeof readAll>) => f.entries.map((e) => e.slp.id);
const reasons = (f: ReturnType<typeof readAll>) => f.skips.map((s) => s.reason);
/** A LiteLLM entry of about 40 KB (prompts and responses logged): three partial records. */
const big = (id: string) => slpLine(id, { messages: [{ role: 'user', content: 'x'.repeat(40_000) }] });

describe('container log formats', () => {
  for (const [name, records] of [['docker', dockerRecords], ['cri', criRecords]] as const) {
    it(`${name}: a 40 KB entry in 3 partial records is one entry, starting at its first record`, () => {
      const lines = [...records(slpLine('small')), ...records(big('big')), 'plain text', ...records(slpLine('after'))];
      expect(records(big('big'))).toHaveLength(3);
      const text = lines.join('\n') + '\n';
      const f = readAll([text]);
      expect(ids(f)).toEqual(['small', 'big', 'after']);
      expect(reasons(f)).toEqual(['not_usage']);
      expect(f.entries[1].start).toBe(text.indexOf(lines[1]));
      expect(f.entries[1].end).toBe(text.indexOf(lines[4]));
      // Fed 1,000 bytes at a time: the same.
      const chunks = Array.from({ length: Math.ceil(text.length / 1000) }, (_, i) => text.slice(i * 1000, (i + 1) * 1000));
      expect(ids(readAll(chunks))).toEqual(['small', 'big', 'after']);
    });

    it(`${name}: the checkpoint never lands inside a line being joined; resumed from it, the entry is read once`, () => {
      const parts = records(big('big'));
      const first = parts[0] + '\n' + parts[1] + '\n';
      const f = readAll([first]);
      expect(f.entries).toEqual([]);
      expect(f.reader.safeOffset).toBe(0);
      // A restart: a new reader at the checkpoint reads the bytes again, and the rest.
      const again = new EntryReader(1 << 20, f.reader.safeOffset);
      const found: string[] = [];
      again.push(Buffer.from(first + parts[2] + '\n'), { entry: (slp) => found.push(String(slp.id)), skip: () => undefined });
      expect(found).toEqual(['big']);
    });

    it(`${name}: a fragment whose rest never comes is invalid at the end, not not_usage`, () => {
      const parts = records(big('cut'));
      const f = readAll([parts[0] + '\n' + parts[1] + '\n'], { force: true });
      expect(f.entries).toEqual([]);
      expect(reasons(f)).toEqual(['invalid']);
    });
  }

  it('docker: a stderr line between the parts of a stdout line is read after it, in order; pretty JSON is joined', () => {
    const parts = dockerRecords(big('big'));
    const lines = [parts[0], ...dockerRecords('Traceback: warning', 'stderr'), parts[1], parts[2]];
    const f = readAll([lines.join('\n') + '\n']);
    expect(ids(f)).toEqual(['big']);
    expect(reasons(f)).toEqual(['not_usage']);
    expect(f.skips[0].start).toBeGreaterThan(f.entries[0].start);
    const pretty = JSON.stringify(JSON.parse(slpLine('p')), null, 2).split('\n').flatMap((l) => dockerRecords(l));
    expect(ids(readAll([pretty.join('\n') + '\n']))).toEqual(['p']);
  });

  it('a joined line over the entry limit is counted too long, its parts not kept', () => {
    const f = readAll([dockerRecords(big('big')).join('\n') + '\n'], { max: 20_000 });
    expect(f.entries).toEqual([]);
    expect(reasons(f)).toEqual(['too_long']);
  });
});
