// Entry reader: every shape of docs/mapping.md §1 and every tolerance, with exact byte offsets.
import { describe, expect, it } from 'vitest';
import { readAll, slpLine } from '../helpers.js';

const ids = (f: ReturnType<typeof readAll>) => f.entries.map((e) => e.slp.id ?? e.slp.request_id);
const reasons = (f: ReturnType<typeof readAll>) => f.skips.map((s) => s.reason);

describe('EntryReader shapes', () => {
  it('reads NDJSON with offsets that end after each newline', () => {
    const a = slpLine('a'), b = slpLine('b');
    const f = readAll([`${a}\n${b}\n`]);
    expect(ids(f)).toEqual(['a', 'b']);
    expect(f.entries[0]).toMatchObject({ start: 0, end: a.length + 1 });
    expect(f.entries[1]).toMatchObject({ start: a.length + 1, end: a.length + b.length + 2 });
    expect(f.reader.safeOffset).toBe(a.length + b.length + 2);
  });

  it('reads pretty-printed objects between text log lines', () => {
    const pretty = JSON.stringify(JSON.parse(slpLine('p')), null, 4);
    const text = `12:00:01 - LiteLLM:INFO: utils.py:123 - starting\n${pretty}\n12:00:02 - LiteLLM:INFO: done\n${slpLine('q')}\n`;
    const f = readAll([text]);
    expect(ids(f)).toEqual(['p', 'q']);
    expect(reasons(f)).toEqual(['not_usage', 'not_usage']);
    expect(f.entries[0].start).toBe(text.indexOf('{'));
  });

  it('reads a JSON array on one line and a pretty-printed array', () => {
    const one = readAll([`[${slpLine('a')},${slpLine('b')}]\n`]);
    expect(ids(one)).toEqual(['a', 'b']);
    expect(one.entries.map((e) => e.index)).toEqual([0, 1]);
    const many = readAll([JSON.stringify([JSON.parse(slpLine('c')), JSON.parse(slpLine('d'))], null, 2) + '\n']);
    expect(ids(many)).toEqual(['c', 'd']);
    expect(many.skips).toEqual([]);
  });

  it('unwraps the known wrappers and message strings', () => {
    const slp = JSON.parse(slpLine('w'));
    const lines = [
      { standard_logging_object: slp }, { kwargs: { standard_logging_object: slp } }, { payload: slp },
      { data: slp }, { level: 30, message: slp }, { level: 30, message: JSON.stringify(slp) },
      { log: JSON.stringify(slp) + '\n', stream: 'stdout' },
    ].map((o) => JSON.stringify(o)).join('\n') + '\n';
    expect(ids(readAll([lines]))).toEqual(['w', 'w', 'w', 'w', 'w', 'w', 'w']);
  });

  it('reads SpendLogs rows with JSON-encoded metadata and "None" values', () => {
    const row = { request_id: 'r1', call_type: 'acompletion', spend: 0.1, metadata: JSON.stringify({ usage_object: { prompt_tokens: 3 } }), cache_hit: 'None', user: 'None' };
    const f = readAll([JSON.stringify(row) + '\n']);
    expect(f.entries[0].slp.metadata).toEqual({ usage_object: { prompt_tokens: 3 } });
  });

  it('counts other JSON and text as not_usage, never invalid', () => {
    const f = readAll(['{"level":"info","msg":"hello"}\n', 'plain text\n', '[]\n', '{"id":"x","call_type":"a"}\n']);
    expect(reasons(f)).toEqual(['not_usage', 'not_usage', 'not_usage', 'not_usage']);
  });
});

describe('EntryReader tolerances', () => {
  it('handles CRLF and a UTF-8 BOM', () => {
    const f = readAll([`\uFEFF${slpLine('a')}\r\n${slpLine('b')}\r\n`]);
    expect(ids(f)).toEqual(['a', 'b']);
  });

  it('replaces invalid UTF-8 instead of failing', () => {
    const line = Buffer.concat([Buffer.from(slpLine('a', { user: 'x' }).slice(0, -1) + ',"note":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
    const f = readAll([line]);
    expect(ids(f)).toEqual(['a']);
    expect(f.entries[0].slp.note).toBe('\uFFFD\uFFFD');
  });

  it('reads bare NaN / Infinity as null', () => {
    const f = readAll([slpLine('a').slice(0, -1) + ',"response_cost":NaN,"x":Infinity,"y":-Infinity,"s":"NaN"}\n']);
    expect(f.entries[0].slp).toMatchObject({ response_cost: null, x: null, y: null, s: 'NaN' });
  });

  it('skips an over-long line, counts it, and advances the offset', () => {
    const long = slpLine('long', { pad: 'x'.repeat(5000) });
    const f = readAll([long.slice(0, 2000), long.slice(2000) + '\n' + slpLine('b') + '\n'], { max: 1000 });
    expect(reasons(f)).toEqual(['too_long']);
    expect(ids(f)).toEqual(['b']);
    expect(f.skips[0]).toEqual({ reason: 'too_long', start: 0, end: long.length + 1 });
  });

  it('skips an over-long pretty-printed object as one too_long entry', () => {
    const pretty = JSON.stringify({ ...JSON.parse(slpLine('big')), pad: Array(200).fill('y'.repeat(20)) }, null, 4);
    const f = readAll([pretty + '\n' + slpLine('b') + '\n'], { max: 1000 });
    expect(reasons(f)).toEqual(['too_long']);
    expect(ids(f)).toEqual(['b']);
  });

  it('reads the entry after a crashed writer\'s fragment on the same line', () => {
    const frag = slpLine('dead').slice(0, 40);
    const f = readAll([`${frag}${slpLine('alive')}\n${slpLine('next')}\n`]);
    expect(ids(f)).toEqual(['alive', 'next']);
    expect(reasons(f)).toEqual(['invalid']);
    expect(f.entries[0].start).toBe(frag.length);
  });

  it('a pretty-printed fragment swallows no later line', () => {
    const pretty = JSON.stringify(JSON.parse(slpLine('dead')), null, 4).split('\n').slice(0, 5).join('\n');
    const f = readAll([`${pretty}${slpLine('alive')}\n${slpLine('next')}\nINFO text\n`]);
    expect(ids(f)).toEqual(['alive', 'next']);
    expect(reasons(f)).toEqual(['invalid', 'not_usage']);
  });

  it('a fragment then a text line: the text line is its own entry', () => {
    const f = readAll(['{\n    "id": "x",\n', 'INFO something\n', slpLine('a') + '\n']);
    expect(reasons(f)).toEqual(['invalid', 'not_usage']);
    expect(ids(f)).toEqual(['a']);
  });

  it('reads an entry split across reads at every byte', () => {
    const text = `${slpLine('a')}\n${JSON.stringify(JSON.parse(slpLine('b')), null, 2)}\n`;
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const f = readAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(ids(f)).toEqual(['a', 'b']);
    }
  });

  it('never emits a partial last line early; at the end it does only when it parses', () => {
    const a = slpLine('a');
    const waiting = readAll([a]);
    expect(waiting.entries).toEqual([]);
    expect(waiting.reader.safeOffset).toBe(0);
    const done = readAll([a], { eof: true });
    expect(ids(done)).toEqual(['a']);
    const held = readAll([a.slice(0, 30)], { eof: true });
    expect(held.skips).toEqual([]);
    expect(held.reader.safeOffset).toBe(0);
    const cut = readAll([a.slice(0, 30)], { force: true });
    expect(reasons(cut)).toEqual(['invalid']);
  });

  it('keeps the checkpoint at the start of an unfinished multi-line entry', () => {
    const f = readAll([`${slpLine('a')}\n{\n    "id": "b",\n`]);
    expect(f.reader.safeOffset).toBe(slpLine('a').length + 1);
  });
});
