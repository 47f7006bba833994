// "Did you mean": the known name closest to a mistyped one (edit distance), for unknown flags and commands.

/** Levenshtein distance, small strings only. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate within a third of the name's length (at least 2 edits) of `name`, or undefined. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const folded = name.toLowerCase().replace(/[-_]/g, '');
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(folded, c.toLowerCase().replace(/[-_]/g, ''));
    if (d <= Math.max(2, Math.floor(name.length / 3)) && (best === undefined || d < best.d)) best = { c, d };
  }
  return best?.c;
}
