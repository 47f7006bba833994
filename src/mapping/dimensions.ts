// The dimension table of docs/mapping.md §4: one fallback chain per dimension, as key/value pairs in the fixed order.
import type { Obj } from '../entries/recognise.js';
import { at, obj, text } from './fields.js';
import { regionOf } from './region.js';
import { MAX_DIMENSION_LENGTH, type MappingOptions } from './types.js';
import { BASE_DIMENSIONS, BATCH_CALLS, TIERS, type BaseDimension } from './vocabulary.js';

export interface BaseDimensions {
  /** Key, value, key, value…: the dimensions every event of the entry carries, in the fixed key order. */
  pairs: string[];
  /** The error code of a failure (it goes after `type` / `cache` on token events), else undefined. */
  errorCode?: string;
  truncated: number;
}

/** Dimensions shared by every event of one entry (no `type` / `cache`, which only token meters carry). */
export function baseDimensions(slp: Obj, opts: MappingOptions, usage: Obj): BaseDimensions {
  const meta = obj(slp.metadata);
  const mapInfo = obj(slp.model_map_information);
  const callType = text(slp.call_type);
  const provider = text(slp.custom_llm_provider) ?? text(at(mapInfo, 'model_map_value.litellm_provider'));
  const pairs: string[] = [];
  let truncated = 0;
  const put = (key: string, value: string | undefined) => {
    if (value === undefined) return;
    if (value.length > MAX_DIMENSION_LENGTH) {
      value = cutDimension(value);
      truncated++;
    }
    pairs.push(key, value);
  };
  const values: Record<BaseDimension, string | undefined> = {
    business_unit_id: meta && businessUnitOf(meta),
    usecase: callType,
    provider,
    platform: provider,
    model: text(slp.model),
    sku: mapInfo && (text(mapInfo.model_map_key) ?? text(at(mapInfo, 'model_map_value.key'))),
    user: text(slp.user) ?? text(slp.end_user) ?? text(meta?.user_api_key_end_user_id),
    keyName: text(meta?.user_api_key_alias),
    hostedEnv: opts.hostedEnv,
    region: regionOf(text(slp.api_base), opts.regionMap) ?? regionOf(text(at(slp, 'hidden_params.api_base')), opts.regionMap),
    batch: isBatch(slp, meta, callType) ? 'y' : 'n',
    tier: tierOf(slp, usage),
  };
  for (const key of BASE_DIMENSIONS) put(key, values[key]);
  const errorCode = slp.status === 'failure' ? cutDimension(errorCodeOf(slp)) : undefined;
  return { pairs, errorCode, truncated };
}

/** A failure's code; LiteLLM logs a rejected key or team as a ProxyException with an empty code (the callback: 401). */
function errorCodeOf(slp: Obj): string {
  const code = text(at(slp, 'error_information.error_code'));
  if (code !== undefined) return code;
  return text(at(slp, 'error_information.error_class')) === 'ProxyException' ? '401' : 'unknown';
}

export function businessUnitOf(meta: Obj): string | undefined {
  return text(at(meta, 'user_api_key_auth_metadata.business_unit_id')) ?? text(meta.user_api_key_team_id) ??
    text(meta.team_id) ?? text(meta.user_api_key_team_alias);
}

function isBatch(slp: Obj, meta: Obj | undefined, callType: string | undefined): boolean {
  if (callType !== undefined && BATCH_CALLS.includes(callType)) return true;
  return nonEmpty(at(slp, 'hidden_params.batch_models')) || nonEmpty(meta?.batch_models);
}

function nonEmpty(models: unknown): boolean {
  return Array.isArray(models) ? models.length > 0 : text(models) !== undefined;
}

function tierOf(slp: Obj, usage: Obj): string {
  const tier = text(at(slp, 'model_parameters.service_tier')) ?? text(at(slp, 'response.service_tier')) ?? text(usage.service_tier);
  return tier !== undefined && TIERS.includes(tier) ? tier : 'n';
}

/** Cuts to 200 characters without splitting a surrogate pair. */
function cutDimension(v: string): string {
  if (v.length <= MAX_DIMENSION_LENGTH) return v;
  let cut = v.slice(0, MAX_DIMENSION_LENGTH);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}
