// Pacing against a simulated rate limit (N requests per calendar second, then 429 with Retry-After: 1 that stops
// every send for a second): once settled, within 20 % of N with fewer than 5 % refused, for several N.
import { expect, it } from 'vitest';
import { SendPacing } from '../../src/ship/pacing.js';

function simulate(limit: number, seconds: number, rttMs = 50): { accepted: number; refused: number } {
  let now = 0;
  const pacing = new SendPacing(() => now);
  let second = -1;
  let inSecond = 0;
  let pausedUntil = 0;
  const answers = new Map<number, boolean[]>();
  let accepted = 0;
  let refused = 0;
  for (; now < seconds * 1000; now++) {
    for (const ok of answers.get(now) ?? []) {
      if (ok) pacing.accepted();
      else {
        pacing.limited();
        pausedUntil = now + 1000;
      }
    }
    // A backlog that never runs dry: as many sends as the pace allows.
    while (now >= pausedUntil && pacing.take() === 0) {
      const s = Math.floor(now / 1000);
      if (s !== second) { second = s; inSecond = 0; }
      const ok = ++inSecond <= limit;
      if (now >= (seconds - 30) * 1000) ok ? accepted++ : refused++;
      answers.set(now + rttMs, [...(answers.get(now + rttMs) ?? []), ok]);
      if (pacing.rate === undefined && inSecond > 4 * limit) break; // unpaced: the concurrency limit would hold it
    }
  }
  return { accepted: accepted / 30, refused: refused / Math.max(1, accepted + refused) };
}

it('settles within 20 % of the limit with fewer than 5 % refused', () => {
  for (const limit of [10, 100, 1000]) {
    const r = simulate(limit, 120);
    expect(r.accepted).toBeGreaterThanOrEqual(0.8 * limit);
    expect(r.accepted).toBeLessThanOrEqual(limit);
    expect(r.refused).toBeLessThan(0.05);
  }
});

it('paces nothing until the backend refuses, and stops a minute after the last refusal', () => {
  let now = 0;
  const p = new SendPacing(() => now);
  for (let i = 0; i < 1000; i++) expect(p.take()).toBe(0);
  for (let i = 0; i < 50; i++) { now += 10; p.accepted(); }
  p.limited();
  expect(p.rate).toBeCloseTo(0.95 * 50, 5);
  expect(p.take()).toBe(0);
  expect(p.take()).toBeGreaterThan(0);
  now += 61_000;
  p.accepted();
  expect(p.rate).toBeUndefined();
});
