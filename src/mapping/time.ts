// Timestamps as LiteLLM writes them (epoch seconds, numeric strings, "YYYY-MM-DD HH:MM:SS.ffffff" UTC, ISO 8601) → epoch microseconds.

const SPACE_FORM = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Latest usable time: year 5138 in epoch seconds; anything larger is not a LiteLLM time. */
const MAX_SECONDS = 1e11;

/** Epoch microseconds as an integer, or undefined when the value is not a usable time. */
export function toMicros(v: unknown): number | undefined {
  const micros = parseMicros(v);
  return micros !== undefined && micros > 0 && micros <= MAX_SECONDS * 1e6 ? micros : undefined;
}

function parseMicros(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v * 1e6) : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '' || s === 'None') return undefined;
  if (/^\d{1,12}(\.\d+)?$/.test(s)) return secondsTextToMicros(s);
  const m = SPACE_FORM.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, se, frac = '', zone] = m;
    const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +se);
    if (Number.isNaN(ms)) return undefined;
    const micros = ms * 1000 + Number((frac + '000000').slice(0, 6));
    return micros - zoneOffsetMinutes(zone) * 60_000_000;
  }
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms * 1000;
}

/** Exact decimal seconds → microseconds, without the float error of `x * 1e6` on long fractions. */
function secondsTextToMicros(s: string): number {
  const [whole, frac = ''] = s.split('.');
  return Number(whole) * 1e6 + Number((frac + '000000').slice(0, 6));
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}
