// The mapper's native fast path (native/, compiled at `npm ci` and by `npm run build`): plain LiteLLM lines parsed and mapped in C++
// into the same bytes mapEntryInto writes; every other line, or every line when the addon is not built, goes the
// JavaScript way.
import { createRequire } from 'node:module';
import { regionOf } from './region.js';
import type { RecordBuffer } from './record-buffer.js';
import { MAX_DIMENSION_LENGTH, type MappingOptions } from './types.js';

interface Addon {
  create(customer: string, hostedEnvJson: string): object;
  learnRegion(mapper: object, apiBase: string, kind: number, json: string): void;
  pendingRegion(mapper: object): string;
  mapLine(mapper: object, src: Buffer, from: number, to: number, out: Buffer, outPos: number, fallbackMs: number, ends: Uint32Array): number;
}

const BAIL = -1;
const NEED_REGION = -2;
const NO_ROOM = -3;
const REGION_NONE = 0, REGION_VALUE = 1, REGION_BAIL = 2;

/** Flags of a natively mapped line (the low byte of mapLine's answer counts its records). */
export const FAST_INCONSISTENT = 1;
export const FAST_TIME_MISSING = 2;

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
    const customer = opts.customerId !== undefined ? '"customerId":' + JSON.stringify(opts.customerId) + ',' : '';
    return new FastMapper(addon, addon.create(customer, JSON.stringify(opts.hostedEnv)), opts.regionMap);
  }

  /**
   * Maps the line `src[from..to)` into `out` as records; returns FAST_* flags, or -1 when the line is left to the
   * JavaScript reader (nothing was written then).
   */
  mapLine(src: Buffer, from: number, to: number, out: RecordBuffer, fallbackMs: number): number {
    for (let tries = 0; tries < 4; tries++) {
      const r = this.addon.mapLine(this.handle, src, from, to, out.memory, out.byteLength, fallbackMs, this.ends);
      if (r >= 0) {
        out.written(this.ends, r & 0xff);
        return r >> 8;
      }
      if (r === NEED_REGION) this.learn(this.addon.pendingRegion(this.handle));
      else if (r === NO_ROOM) out.reserve(this.ends[0]);
      else return BAIL;
    }
    return BAIL;
  }

  /** The region dimension for one api_base text, worked out once by region.ts. */
  private learn(apiBase: string): void {
    const region = regionOf(apiBase, this.regionMap);
    if (region === undefined) this.addon.learnRegion(this.handle, apiBase, REGION_NONE, '');
    else if (region.length > MAX_DIMENSION_LENGTH) this.addon.learnRegion(this.handle, apiBase, REGION_BAIL, '');
    else this.addon.learnRegion(this.handle, apiBase, REGION_VALUE, JSON.stringify(region));
  }
}
