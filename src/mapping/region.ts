// Region dimension: parsed from the provider host (Bedrock, Vertex, OpenAI data residency) or AFLO_REGION_MAP.

const PATTERNS: RegExp[] = [
  /^bedrock(?:-agent)?-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/,
  /^([a-z]+-[a-z]+\d+)-aiplatform\.googleapis\.com$/,
  /^(eu|us)\.api\.openai\.com$/,
];

// api_base values repeat on every entry of a deployment: remember the answer per value and map.
const cache = new WeakMap<ReadonlyMap<string, string>, Map<string, string | undefined>>();
const CACHE_LIMIT = 1000;

export function regionOf(apiBase: string | undefined, regionMap: ReadonlyMap<string, string>): string | undefined {
  if (!apiBase) return undefined;
  let known = cache.get(regionMap);
  if (known === undefined) cache.set(regionMap, (known = new Map()));
  if (known.has(apiBase)) return known.get(apiBase);
  if (known.size >= CACHE_LIMIT) known.clear();
  const region = parseRegion(apiBase, regionMap);
  known.set(apiBase, region);
  return region;
}

function parseRegion(apiBase: string, regionMap: ReadonlyMap<string, string>): string | undefined {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(apiBase) ? apiBase : `https://${apiBase}`);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  const mapped = regionMap.get(host);
  if (mapped) return mapped;
  for (const re of PATTERNS) {
    const m = re.exec(host);
    if (m) return m[1];
  }
  const loc = /\/locations\/([a-z0-9-]+)(?:\/|$)/.exec(url.pathname);
  return loc && loc[1] !== 'global' ? loc[1] : undefined;
}

/** Parses `host=region,host=region`; returns the bad piece's text on error. */
export function parseRegionMap(text: string): { ok: true; map: Map<string, string> } | { ok: false; bad: string } {
  const map = new Map<string, string>();
  for (const piece of text.split(',')) {
    const p = piece.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const host = p.slice(0, eq).trim().toLowerCase();
    const region = p.slice(eq + 1).trim();
    if (eq <= 0 || host === '' || region === '') return { ok: false, bad: p };
    map.set(host, region);
  }
  return { ok: true, map };
}
