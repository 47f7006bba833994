// SendHealth: the backend's state as answers come in, and one log line per change rather than per batch.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SendHealth } from '../../src/ship/send-health.js';

function setup() {
  const lines: { level: number; msg: string; setting?: string }[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  let now = 1000;
  const health = new SendHealth(pino({ level: 'info' }, sink), () => now, 60_000);
  return { lines, health, tick: (ms: number) => { now += ms; } };
}

describe('SendHealth', () => {
  it('warns once when sending starts failing and says once when the backend accepts again', () => {
    const { lines, health, tick } = setup();
    health.failed('b1', 'HTTP 503', 1);
    tick(10);
    health.failed('b1', 'HTTP 503', 2);
    health.failed('b2', 'HTTP 502', 1);
    expect(health.state).toMatchObject({ failingSince: 1000, lastError: 'HTTP 502' });
    expect(lines.map((l) => l.msg)).toEqual(['sending failed; retrying with backoff']);
    health.accepted('b1', 10);
    health.accepted('b2', 10);
    expect(lines.map((l) => l.msg)).toEqual(['sending failed; retrying with backoff', 'backend accepts batches again']);
    expect(health.state).toMatchObject({ failingSince: undefined, lastAcceptedAt: 1010, lastError: 'HTTP 502' });
  });

  it('names the refused setting at most once per auth retry period and keeps when it started', () => {
    const { lines, health, tick } = setup();
    health.misconfigured('HTTP 401', 'AFLO_API_KEY', 401);
    tick(30_000);
    health.misconfigured('HTTP 401', 'AFLO_API_KEY', 401);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, setting: 'AFLO_API_KEY' });
    tick(30_000);
    health.misconfigured('HTTP 403', 'AFLO_API_KEY', 403);
    expect(lines).toHaveLength(2);
    expect(health.state.misconfigured).toEqual({ reason: 'HTTP 401', setting: 'AFLO_API_KEY', since: 1000 });
    health.accepted('b', 1);
    expect(health.state.misconfigured).toBeUndefined();
    expect(lines.at(-1)?.msg).toBe('backend accepts batches again');
  });

  it('records a dead-lettered event as the last error; the events of a burst are said in one line with their count', () => {
    const { lines, health } = setup();
    for (let i = 0; i < 5; i++) health.deadLettered(400, 'bad meter');
    expect(health.state.lastError).toBe('bad meter');
    expect(lines).toHaveLength(0);
    health.flushLog();
    health.flushLog();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, events: 5, status: 400, reason: 'bad meter' });
    expect(lines[0].msg).toContain('5 event(s) refused by the backend');
  });
});
