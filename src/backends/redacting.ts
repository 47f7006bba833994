// Every answer a backend gives passes here: configured secrets (and anything shaped like a key or signature) echoed
// in an error body by a proxy, gateway or SDK are removed before anything stores, prints or logs the reason.
import { scrub } from '../config/redact.js';
import type { Backend, CheckResult, SendResult } from './types.js';

export function redacting(backend: Backend, secrets: readonly string[]): Backend {
  const clean = <T extends SendResult | CheckResult>(r: T): T => ('reason' in r ? { ...r, reason: scrub(r.reason, secrets) } : r);
  return {
    type: backend.type,
    send: async (batch, signal) => clean(await backend.send(batch, signal)),
    check: async (signal) => clean(await backend.check(signal)),
    close: () => backend.close(),
  };
}
