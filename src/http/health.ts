// /healthz: healthy, or the reason not: an input that cannot be read, refused credentials, a buffer full past its grace, nothing accepted for too long.
import type { Flusher } from '../ship/flusher.js';
import type { InputProblem } from '../source/input-problems.js';
import type { Store } from '../state/store.js';

export interface HealthOptions { maxBufferSize: number; fullGraceMs: number; staleMs: number; now: () => number }

export class HealthCheck {
  private fullSince?: number;

  constructor(
    private readonly store: Store, private readonly flusher: Flusher,
    /** Inputs that exist but cannot be read. */
    private readonly unreadable: () => InputProblem[],
    private readonly o: HealthOptions,
  ) {}

  check(): { ok: true } | { ok: false; reason: string } {
    const now = this.o.now();
    const h = this.flusher.health;
    const w = this.store.writes.failure;
    if (w) return { ok: false, reason: `cannot write the state database for ${Math.round((now - w.since) / 1000)} s (${w.reason}); reading is paused` };
    const unread = this.unreadable();
    if (unread.length > 0) return { ok: false, reason: `cannot read ${unread.map((p) => `${p.path} (${p.code})`).join(', ')}` };
    if (h.misconfigured) return { ok: false, reason: `backend refuses the credentials or target: check ${h.misconfigured.setting}` };
    if (this.store.bufferedEvents >= this.o.maxBufferSize) this.fullSince ??= now;
    else this.fullSince = undefined;
    if (this.fullSince !== undefined && now - this.fullSince > this.o.fullGraceMs) {
      return { ok: false, reason: `buffer full (${this.store.bufferedEvents} events) for ${Math.round((now - this.fullSince) / 1000)} s` };
    }
    const oldest = this.store.oldestBufferedMs();
    const since = Math.max(oldest ?? now, h.lastAcceptedAt ?? 0);
    if (this.store.bufferedEvents > 0 && now - since > this.o.staleMs) {
      return { ok: false, reason: `nothing accepted for ${Math.round((now - since) / 1000)} s while events wait${h.lastError ? ` (${h.lastError})` : ''}` };
    }
    return { ok: true };
  }
}
