// Mapping options from settings (AFLO_HOSTED_ENV, AFLO_REGION_MAP, AFLO_CUSTOMER_ID, AFLO_SEND_OBJECT_METADATA, AFLO_NATIVE_MAPPER, AFLO_MAPPING).
import type { Settings } from '../config/settings.js';
import { parseRegionMap } from '../mapping/region.js';
import type { MappingOptions } from '../mapping/types.js';

export function mappingOptions(s: Settings): { ok: true; options: MappingOptions } | { ok: false; error: string } {
  const region = parseRegionMap(s.regionMap);
  if (!region.ok) return { ok: false, error: `AFLO_REGION_MAP: "${region.bad}" is not host=region` };
  return {
    ok: true,
    options: { hostedEnv: s.hostedEnv, regionMap: region.map, customerId: s.customerId, sendObjectMetadata: s.sendObjectMetadata,
      native: s.nativeMapper, profile: s.mapping },
  };
}
