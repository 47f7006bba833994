// The `callback` mapping profile (AFLO_MAPPING=callback): for the same payload, the events Amberflo's LiteLLM callback
// sends (its meter names, snake_case dimensions with "unknown" / "global" fallbacks, every event at the rounded start
// time), so a team switching from it keeps its meters and dashboards. docs/mapping.md §8 has the rules.
import type { Obj } from '../entries/recognise.js';
import { fallbackId } from './entry-id.js';
import { at, count, obj, text } from './fields.js';
import type { EntryNotes } from './entry-notes.js';
import { OBJECT_METADATA_METER } from './object-metadata.js';
import type { RecordBuffer } from './record-buffer.js';
import { toMicros } from './time.js';
import type { EntryOrigin, MappingOptions } from './types.js';

const UNKNOWN = 'unknown';

/** The meters this profile sends, with the dimensions each carries (for `meters provision --mapping callback`). */
const BASE = ['business_unit_id', 'team', 'hosted_env', 'key_name', 'model', 'platform', 'provider', 'region', 'usecase', 'user', 'gateway'];
const PRICING = ['sku', 'tier', 'batch'];
export const CALLBACK_METERS: { meterApiName: string; label: string; dimensions: string[] }[] = [
  { meterApiName: 'llm_api_call', label: 'LLM API calls', dimensions: [...BASE, ...PRICING, 'error_code'] },
  { meterApiName: 'llm_api_call_ms', label: 'LLM API call milliseconds', dimensions: [...BASE, ...PRICING, 'error_code'] },
  { meterApiName: 'llm_text_tokens', label: 'LLM text tokens', dimensions: [...BASE, ...PRICING, 'type', 'cache'] },
  { meterApiName: 'llm_images', label: 'LLM images', dimensions: [...BASE, ...PRICING, 'type', 'cache'] },
  { meterApiName: 'llm_image_tokens', label: 'LLM image tokens', dimensions: [...BASE, ...PRICING, 'type', 'cache'] },
  { meterApiName: 'llm_error_details', label: 'LLM error details', dimensions: [...BASE, 'class', 'code', 'subject', 'rate', 'limit', 'guardrail'] },
];

/** Rate limits as OpenAI and LiteLLM word them: who was limited, per minute of requests or tokens, and the limit. */
const OPENAI_LIMIT = /Rate limit reached .* on .*\(([^:]+)\): Limit (\d+)/;
const LITELLM_LIMIT = /Rate limit exceeded for (\w+):.+Limit type: (\w+).+Current limit: (\d+)/;
/** Guardrails known by the refusal they answer with. */
const GUARDRAILS: [RegExp, string][] = [
  [/Content blocked: .* pattern detected/, 'litellm-content-filter'],
  [/Violated OpenAI moderation policy/, 'openai-moderation'],
];

/** Python's round(): halves go to the even neighbour (the callback's times and durations are rounded so). */
function pyRound(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Milliseconds of a LiteLLM time: a number as the callback rounds it; a date string read as the default profile does. */
function millis(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return pyRound(v * 1000);
  const micros = toMicros(v);
  return micros === undefined ? undefined : pyRound(micros / 1000);
}

function errorDetails(slp: Obj): Record<string, string> | undefined {
  const info = obj(slp.error_information) ?? {};
  const cls = text(info.error_class);
  if (cls === undefined) return undefined;
  const code = text(info.error_code) ?? (cls === 'ProxyException' ? '401' : '');
  const out: Record<string, string> = { class: cls, code };
  const message = typeof info.error_message === 'string' ? info.error_message : '';
  if (code === '429') {
    const m = info.llm_provider === 'openai' ? OPENAI_LIMIT.exec(message) : LITELLM_LIMIT.exec(message);
    if (m && info.llm_provider === 'openai') Object.assign(out, { subject: 'provider', rate: m[1].toLowerCase(), limit: m[2] });
    else if (m) Object.assign(out, { subject: m[1], rate: m[2] === 'requests' ? 'rpm' : 'tpm', limit: m[3] });
  }
  const guardrail = GUARDRAILS.find(([re]) => re.test(message));
  if (guardrail) out.guardrail = guardrail[1];
  return out;
}

/** The callback's objects: its team is `user_api_key_team_id` only (not `team_id`). */
function objects(meta: Obj): object[] {
  const bu = text(at(meta, 'user_api_key_auth_metadata.business_unit_id'));
  const team = text(meta.user_api_key_team_id);
  const alias = text(meta.user_api_key_team_alias) ?? null;
  const tag = (parent: string) => ({ type: 'virtual_tag', name: 'team', value: team, label: alias, parentName: 'businessUnitId', parentValue: parent });
  if (bu && team) return [tag(bu)];
  if (bu) return [{ type: 'business_unit', id: bu, name: bu }];
  if (team) return [{ type: 'business_unit', id: team, name: alias }, tag(team)];
  return [];
}

/** Region as the callback reads it: Bedrock's from the host's second label, Azure's and Google's from its first. */
function region(platform: string, apiBase: unknown): string {
  const index = platform === 'bedrock' ? 1 : platform === 'azure' || platform === 'google' ? 0 : -1;
  if (index < 0 || typeof apiBase !== 'string' || apiBase === '') return 'global';
  try {
    return new URL(apiBase).hostname.split('.')[index] || 'global';
  } catch {
    return 'global';
  }
}

export function mapCallbackInto(slp: Obj, opts: MappingOptions, origin: EntryOrigin, out: RecordBuffer): EntryNotes {
  const meta = obj(slp.metadata) ?? {};
  const startMs = millis(slp.startTime) ?? millis(slp.endTime);
  const timeMissing = startMs === undefined;
  const time = startMs ?? origin.fallbackTimeMs;
  const endMs = millis(slp.endTime);
  const durationMs = typeof slp.startTime === 'number' && typeof slp.endTime === 'number'
    ? pyRound((slp.endTime - slp.startTime) * 1000) : startMs !== undefined && endMs !== undefined ? endMs - startMs : 0;
  const uniqueId = text(slp.id) ?? text(slp.request_id) ?? text(slp.litellm_call_id) ?? fallbackId(origin);

  // The callback splits "vendor.model" (Bedrock's naming) unless the provider is openai; a provider it does not
  // know is sent as null, as it sends it.
  let provider: string | null = text(slp.custom_llm_provider) ?? null;
  let model = typeof slp.model === 'string' ? slp.model : UNKNOWN;
  if (provider !== 'openai' && model.includes('.')) [provider, model] = [model.slice(0, model.indexOf('.')), model.slice(model.indexOf('.') + 1)];
  const mapValue = obj(at(slp, 'model_map_information.model_map_value'));
  const platform = (mapValue && text(mapValue.litellm_provider)) ?? UNKNOWN;
  const sku = (mapValue && text(mapValue.key)) ?? UNKNOWN;
  const bu = text(at(meta, 'user_api_key_auth_metadata.business_unit_id')) ?? text(meta.user_api_key_team_id) ?? UNKNOWN;
  const batchModels = at(slp, 'hidden_params.batch_models');
  const dims: Record<string, string | null> = {
    business_unit_id: bu, team: text(meta.user_api_key_team_id) ?? UNKNOWN, hosted_env: opts.hostedEnv,
    key_name: text(meta.user_api_key_alias) ?? UNKNOWN, model, platform, provider, region: region(platform, slp.api_base),
    usecase: text(slp.call_type) ?? UNKNOWN, user: text(meta.user_api_key_user_id) ?? UNKNOWN, gateway: 'litellm',
  };
  const batch = (Array.isArray(batchModels) ? batchModels.length > 0 : Boolean(batchModels)) ? 'y' : 'n';
  const error = errorDetails(slp);

  // Each record is written as text from parts made once per entry: the dimensions shared by all its events, then
  // what differs (a tenth of the garbage of an object per event).
  const customer = opts.customerId !== undefined ? `"customerId":${JSON.stringify(opts.customerId)},` : '';
  const head = `{"uniqueId":${JSON.stringify(uniqueId)},${customer}"meterApiName":`;
  const shared = JSON.stringify(dims).slice(0, -1);
  const priced = `${shared},"sku":${JSON.stringify(sku)},"tier":"n","batch":"${batch}"`;
  const put = (prefix: string, meter: string, value: number, dimensions: string) => {
    out.text(`${prefix}"${meter}","meterValue":${value},"meterTimeInMillis":${time},"dimensions":${dimensions}}`, false);
    out.endRecord();
  };
  if (opts.sendObjectMetadata) {
    for (const o of objects(meta)) put(`{${customer}"meterApiName":`, OBJECT_METADATA_METER, 1, JSON.stringify(o));
  }
  const callDims = `${priced},"error_code":${JSON.stringify(error ? error.code : 'n')}}`;
  put(head, 'llm_api_call', 1, callDims);
  put(head, 'llm_api_call_ms', durationMs, callDims);
  const usage = obj(at(slp, 'metadata.usage_object')) ?? {};
  const prompt = count(usage.prompt_tokens) ?? 0;
  const completion = count(usage.completion_tokens) ?? 0;
  const tokens = (type: 'in' | 'out') => `${priced},"type":"${type}","cache":"n"}`;
  if (prompt > 0) put(head, 'llm_text_tokens', prompt, tokens('in'));
  if (slp.call_type === 'aimage_generation') {
    const params = obj(slp.model_parameters);
    const images = (params && count(params.n)) ?? 1;
    if (images > 0) put(head, 'llm_images', images, tokens('out'));
    if (completion > 0) put(head, 'llm_image_tokens', completion, tokens('out'));
  } else if (completion > 0) put(head, 'llm_text_tokens', completion, tokens('out'));
  if (error) put(head, 'llm_error_details', 1, `${shared},${JSON.stringify(error).slice(1)}`);
  return { inconsistent: false, truncated: 0, timeMissing };
}
