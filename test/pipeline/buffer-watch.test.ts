// The log says when the buffer is full and when it has room again: once a minute at most, with the drops counted.
import pino from 'pino';
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { BufferWatch, type BufferState } from '../../src/pipeline/buffer-watch.js';

function watch(policy: 'block' | 'drop_newest') {
  const lines: { level: number; msg: string; dropped?: number; full_for_s?: number }[] = [];
  const out = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  let now = 0;
  let state: BufferState = { buffered: 0, waiting: false, waits: 0, dropped: 0 };
  const w = new BufferWatch({ policy, capacity: 100, everyMs: 60_000, now: () => now }, () => state, pino({ level: 'info' }, out));
  return {
    lines,
    at(t: number, s: Partial<BufferState>, last = false) {
      now = t * 1000;
      state = { ...state, ...s };
      w.tick(last);
    },
    get waits() { return state.waits; },
  };
}

const settle = () => new Promise((r) => setImmediate(r));
const kinds = (lines: { msg: string }[]) => lines.map((l) => l.msg.split(/[;(]/)[0].trim());

it('block: a full buffer is said once a minute while it stays full, and its end once', async () => {
  const w = watch('block');
  w.at(0, { buffered: 10 });
  w.at(1, { buffered: 100, waiting: true, waits: 1 });
  for (let t = 2; t <= 61; t++) w.at(t, {});
  w.at(62, { buffered: 40, waiting: false });
  w.at(63, {});
  await settle();
  expect(kinds(w.lines)).toEqual(['buffer full', 'buffer full', 'buffer has room again']);
  expect(w.lines.map((l) => l.level)).toEqual([30, 30, 30]);
  expect(w.lines[2].full_for_s).toBe(61);
});

it('block: reading that waits between two looks counts, though no look finds it waiting', async () => {
  const w = watch('block');
  for (let t = 1; t < 60; t++) w.at(t, { buffered: 97, waits: w.waits + 3 });
  w.at(60, {});
  await settle();
  expect(kinds(w.lines)).toEqual(['buffer full', 'buffer has room again']);
});

it('block: a buffer that fills and empties every second writes two lines a minute, not one a second', async () => {
  const w = watch('block');
  for (let t = 0; t < 120; t++) w.at(t, { buffered: t % 2 ? 100 : 50, waiting: t % 2 === 1, waits: w.waits + (t % 2) });
  await settle();
  expect(w.lines.length).toBe(4);
});

it('drop_newest: warns with the events dropped since the last line', async () => {
  const w = watch('drop_newest');
  w.at(0, { dropped: 7 });
  w.at(1, { buffered: 100, dropped: 10 });
  w.at(2, { dropped: 25 });
  w.at(61, { dropped: 40 });
  w.at(62, {});
  await settle();
  expect(w.lines.map((l) => [l.level, l.dropped])).toEqual([[40, 7], [40, 33], [30, undefined]]);
});

it('the last look of a run says a full buffer, never that reading resumes', async () => {
  const w = watch('drop_newest');
  w.at(0, { buffered: 100, dropped: 5 }, true);
  w.at(1, { buffered: 0 }, true);
  await settle();
  expect(w.lines.map((l) => l.dropped)).toEqual([5]);
});
