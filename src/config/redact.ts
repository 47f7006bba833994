// Keeps secrets out of output: the list of secret values, a scrubber for any text, and settings safe to print.
import { SETTINGS, type Settings } from './settings.js';

export const REDACTED = '[redacted]';

export function secretValues(s: Partial<Settings>): string[] {
  const out: string[] = [];
  for (const def of SETTINGS) {
    const v = s[def.key];
    if (def.secret && typeof v === 'string' && v.length >= 4) out.push(v);
  }
  if (s.ingestToken && s.ingestToken.length >= 4) out.push(s.ingestToken);
  const conn = s.azureConnectionString;
  if (conn) {
    for (const m of conn.matchAll(/(?:AccountKey|SharedAccessSignature)=([^;]+)/gi)) if (m[1].length >= 4) out.push(m[1]);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** Replaces every secret value, and anything shaped like a SAS signature or account key, in a text. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out
    .replace(/([?&]sig=)[^&\s"']+/gi, `$1${REDACTED}`)
    .replace(/(AccountKey=)[^;\s"']+/gi, `$1${REDACTED}`)
    .replace(/(X-API-KEY["']?\s*[:=]\s*["']?)[^"',\s}]+/gi, `$1${REDACTED}`);
}

export function printableSettings(s: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of SETTINGS) {
    const v = s[def.key];
    if (v === undefined) continue;
    out[def.env] = def.secret ? REDACTED : v;
  }
  if (out.AZURE_STORAGE_CONNECTION_STRING) out.AZURE_STORAGE_CONNECTION_STRING = REDACTED;
  return out;
}
