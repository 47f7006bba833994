// The shapes the mapper produces and the options it takes.

export type Dimensions = Record<string, string>;

export interface MeterEvent {
  uniqueId?: string;
  customerId?: string;
  meterApiName: string;
  meterValue: number;
  meterTimeInMillis: number;
  dimensions: Dimensions | object[];
}

export interface MappingOptions {
  hostedEnv: string;
  /** host → region, from AFLO_REGION_MAP. */
  regionMap: ReadonlyMap<string, string>;
  customerId?: string;
  sendObjectMetadata: boolean;
  /** false: every line is mapped by the JavaScript mapper, never the native fast path (AFLO_NATIVE_MAPPER). */
  native?: boolean;
  /** `callback`: the events Amberflo's LiteLLM callback sends (AFLO_MAPPING); the default mapping otherwise. */
  profile?: MappingProfile;
}

export type MappingProfile = 'default' | 'callback';

/** Where an entry came from: used only when the entry carries no id or no time of its own. */
export interface EntryOrigin {
  sourceId: string;
  start: number;
  index: number;
  /** Epoch ms used when the entry has no time at all; the caller stores the result, so re-sends stay identical. */
  fallbackTimeMs: number;
}

export interface MapResult {
  events: MeterEvent[];
  /** A count was negative or non-finite: that meter was left out (docs/mapping.md §2). */
  inconsistent: boolean;
  /** Dimension values cut to 200 characters. */
  truncated: number;
  /** Neither startTime nor endTime was usable. */
  timeMissing: boolean;
}

export const MAX_DIMENSION_LENGTH = 200;
