// Adaptive send concurrency against simulated backends: it climbs to the ceiling while the round trip is flat, cuts
// on pushback and settles where the round trip starts to rise; fixed when asked.
import { describe, expect, it } from 'vitest';
import { SendConcurrency } from '../../src/ship/concurrency.js';

/** Runs `rounds` round trips of a backend whose answer to `limit` sends at once is given by `answer`. */
function simulate(c: SendConcurrency, clock: { t: number }, rounds: number, answer: (limit: number) => { rtt: number; pushback: boolean }) {
  const limits: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const { rtt, pushback } = answer(c.limit);
    const n = c.limit;
    for (let k = 0; k < n; k++) c.started(k);
    clock.t += rtt;
    for (let k = 0; k < n; k++) c.answered(rtt, pushback && k === 0);
    limits.push(c.limit);
  }
  return limits;
}

describe('send concurrency', () => {
  it('with a flat round trip (a distant backend), reaches the ceiling within a few round trips', () => {
    const clock = { t: 0 };
    const c = new SendConcurrency({ ceiling: 128, adaptive: true, now: () => clock.t });
    const limits = simulate(c, clock, 12, () => ({ rtt: 50, pushback: false }));
    expect(limits.at(-1)).toBe(128);
    expect(limits.indexOf(128)).toBeLessThanOrEqual(8);
    expect(c.rttMs).toBe(50);
  });

  it('cuts to 70 % when the backend pushes back, grows by one per round trip, then probes gently near that limit', () => {
    const clock = { t: 0 };
    const c = new SendConcurrency({ ceiling: 128, adaptive: true, now: () => clock.t });
    simulate(c, clock, 10, () => ({ rtt: 50, pushback: false }));
    const [cut] = simulate(c, clock, 1, () => ({ rtt: 50, pushback: true }));
    expect(cut).toBe(Math.floor(128 * 0.7));
    const after = simulate(c, clock, 3, () => ({ rtt: 50, pushback: false }));
    expect(after).toEqual([cut + 1, cut + 2, cut + 3]);
    const near = simulate(c, clock, 60, () => ({ rtt: 50, pushback: false }));
    expect(near.at(-1)).toBeLessThan(128 * 0.9 + 5);
  });

  it('settles under a rate limit: pushed back above 5 in flight, it stays near 5 and is rarely refused', () => {
    const clock = { t: 0 };
    const c = new SendConcurrency({ ceiling: 128, adaptive: true, now: () => clock.t });
    let refused = 0;
    const limits = simulate(c, clock, 400, (n) => { const over = n > 5; if (over) refused++; return { rtt: 50, pushback: over }; });
    expect(Math.max(...limits.slice(-200))).toBeLessThanOrEqual(6);
    expect(refused).toBeLessThan(40);
  });

  it('settles near where the round trip starts to rise (a backend that queues past 20 at once)', () => {
    const clock = { t: 0 };
    const c = new SendConcurrency({ ceiling: 128, adaptive: true, now: () => clock.t });
    const limits = simulate(c, clock, 300, (n) => ({ rtt: n <= 20 ? 10 : 10 * (n / 20) ** 2, pushback: false }));
    const late = limits.slice(-100);
    expect(Math.max(...late)).toBeLessThanOrEqual(40);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(10);
  });

  it('learns a backend that became slower for good, rather than staying at one batch', () => {
    const clock = { t: 0 };
    const c = new SendConcurrency({ ceiling: 64, adaptive: true, now: () => clock.t });
    simulate(c, clock, 20, () => ({ rtt: 5, pushback: false }));
    // From now on every answer takes 200 ms, however many are in flight.
    const limits = simulate(c, clock, 200, () => ({ rtt: 200, pushback: false }));
    expect(limits.at(-1)).toBe(64);
  });

  it('is fixed at the ceiling when not adaptive', () => {
    const clock = { t: 0 };
    const c = new SendConcurrency({ ceiling: 8, adaptive: false, now: () => clock.t });
    expect(simulate(c, clock, 5, () => ({ rtt: 50, pushback: true }))).toEqual([8, 8, 8, 8, 8]);
  });
});
