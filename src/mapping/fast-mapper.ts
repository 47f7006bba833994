// The mapper's native fast path (native/, compiled at `npm ci` and by `npm run build`): plain LiteLLM lines parsed and mapped in C++
// into the same bytes mapEntryInto writes; every other line, or every line when the addon is not built, goes the
// JavaScript way.
import { createRequire } from 'node:module';
import { regionOf } from './region.js';
import type { RecordBuffer } from './record-buffer.js';
import { MAX_DIMENSION_LENGTH, type MappingOptions } from './types.js';
import { mappedFlags } from './entry-notes.js';
import { declinedGroups } from './fields-read.js';
import { BASE_DIMENSIONS, BATCH_CALLS, ERROR_CODE, IMAGE_CALL_PARTS, METERS, SPEECH_CALLS, TIERS, TOKEN_CACHE, TOKEN_TYPE } from './vocabulary.js';

/** What mapLine answers (defined by the addon, read from it): a record count with flags above it, or a code. */
interface Protocol {
  bail: number; needRegion: number; noRoom: number; flagShift: number; inconsistent: number; timeMissing: number;
  regionNone: number; regionValue: number; regionBail: number; ledgerLeftToJs: number;
}

/** The rules' lists and names, from vocabulary.ts and fields-read.ts: the addon has none of its own. */
interface AddonOptions {
  customer: string; hostedEnv: string; meters: Record<string, string>; dimensions: string[]; typeKey: string; cacheKey: string;
  errorKey: string; tiers: readonly string[]; batchCalls: readonly string[]; speechCalls: readonly string[];
  imageCallParts: readonly string[]; declined: { parent: string[]; keys: string[] }[];
}

interface Addon {
  protocol: Protocol;
  create(options: AddonOptions): object;
  learnRegion(mapper: object, apiBase: string, kind: number, json: string): void;
  pendingRegion(mapper: object): string;
  mapLine(mapper: object, src: Buffer, from: number, to: number, out: Buffer, outPos: number, fallbackMs: number, ends: Uint32Array): number;
  /** The ledger keys of a slab's records (ledger/totals.ts); `keyOut[r]`: an index into the answer, or ledgerLeftToJs. */
  ledgerTags(data: Buffer, ends: Uint32Array, dims: readonly string[], keyOut: Int32Array, valueOut: Float64Array): string[];
  /** `data` gzipped as zlib.gzipSync(data, { level }) writes it; undefined if zlib refused (ship/gzip.ts). */
  gzip(data: Uint8Array, level: number): Buffer | undefined;
  /** The same written into `out` at `at`: its length, or -1 if it did not fit in `gzipBound(data.length)`. */
  gzip(data: Uint8Array, level: number, out: Uint8Array, at: number): number | undefined;
  gzipBound(length: number): number;
  /** glibc's mallopt(M_MMAP_THRESHOLD, bytes); false where it does not apply (pipeline/malloc-threshold.ts). */
  fixMmapThreshold?(bytes: number): boolean;
}


/** JSON text without its quotes: names are written into records as they are given. */
const inner = (name: string) => JSON.stringify(name).slice(1, -1);

/** The options every mapper of this build is made with, beside the customer and hostedEnv. */
export function addonOptions(opts: MappingOptions): AddonOptions {
  return {
    customer: opts.customerId !== undefined ? '"customerId":' + JSON.stringify(opts.customerId) + ',' : '',
    hostedEnv: JSON.stringify(opts.hostedEnv),
    meters: Object.fromEntries(Object.entries(METERS).map(([role, m]) => [role, inner(m.name)])),
    dimensions: BASE_DIMENSIONS.map(inner), typeKey: inner(TOKEN_TYPE), cacheKey: inner(TOKEN_CACHE), errorKey: inner(ERROR_CODE),
    tiers: TIERS, batchCalls: BATCH_CALLS, speechCalls: SPEECH_CALLS, imageCallParts: IMAGE_CALL_PARTS, declined: declinedGroups(),
  };
}

let loaded: Addon | null | undefined;
/** One mapper per mapping options (a thread has its own), or null where the native path does not apply. */
const perOptions = new WeakMap<MappingOptions, FastMapper | null>();

/** The built addon, or null (not built: the JavaScript mapper does everything). */
export function fastMapAddon(): Addon | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('../../build/Release/fast_map.node') as Addon;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

export class FastMapper {
  private readonly ends = new Uint32Array(16);

  private constructor(private readonly addon: Addon, private readonly handle: object,
    private readonly regionMap: ReadonlyMap<string, string>) {}

  /** The mapper for these options, made once. */
  static for(opts: MappingOptions): FastMapper | undefined {
    let m = perOptions.get(opts);
    if (m === undefined) perOptions.set(opts, (m = FastMapper.create(opts) ?? null));
    return m ?? undefined;
  }

  /**
   * A mapper for these options, or undefined where the native path does not apply: not built, AFLO_NATIVE_MAPPER=false,
   * object metadata events, the callback profile, a hostedEnv over 200 characters.
   */
  static create(opts: MappingOptions): FastMapper | undefined {
    const addon = fastMapAddon();
    if (addon === null || opts.native === false || opts.sendObjectMetadata || opts.profile === 'callback' ||
      opts.hostedEnv.length > MAX_DIMENSION_LENGTH) return undefined;
    try {
      return new FastMapper(addon, addon.create(addonOptions(opts)), opts.regionMap);
    } catch (err) {
      // A rule this build of the addon does not know (a new dimension): every line goes the JavaScript way.
      FastMapper.refused = (err as Error).message;
      return undefined;
    }
  }

  /** Why the addon refused the options it was given last, if it did (tests show it). */
  static refused: string | undefined;

  /**
   * Maps the line `src[from..to)` into `out` as records; returns the item's info (entry-notes.ts), or -1 when the
   * line is left to the JavaScript reader (nothing was written then).
   */
  mapLine(src: Buffer, from: number, to: number, out: RecordBuffer, fallbackMs: number): number {
    const p = this.addon.protocol;
    for (let tries = 0; tries < 4; tries++) {
      const r = this.addon.mapLine(this.handle, src, from, to, out.memory, out.byteLength, fallbackMs, this.ends);
      if (r >= 0) {
        out.written(this.ends, r & ((1 << p.flagShift) - 1));
        const flags = r >> p.flagShift;
        return mappedFlags((flags & p.inconsistent) !== 0, (flags & p.timeMissing) !== 0);
      }
      if (r === p.needRegion) this.learn(this.addon.pendingRegion(this.handle));
      else if (r === p.noRoom) out.reserve(this.ends[0]);
      else return -1;
    }
    return -1;
  }

  /** The region dimension for one api_base text, worked out once by region.ts. */
  private learn(apiBase: string): void {
    const region = regionOf(apiBase, this.regionMap);
    const p = this.addon.protocol;
    if (region === undefined) this.addon.learnRegion(this.handle, apiBase, p.regionNone, '');
    else if (region.length > MAX_DIMENSION_LENGTH) this.addon.learnRegion(this.handle, apiBase, p.regionBail, '');
    else this.addon.learnRegion(this.handle, apiBase, p.regionValue, JSON.stringify(region));
  }
}
