// Every field of a LiteLLM entry the default mapping reads, and what the native mapper does with it. A test records
// what the JavaScript mapper reads and fails on a field missing here; another puts values in every `reads` field
// and compares both mappers; the `declines` fields are given to the native mapper, which hands back entries with any.

/**
 * `reads`: the native mapper reads it as src/mapping does. `declines`: its presence sends the entry to the JavaScript
 * mapper. `call`: read only for speech and image calls, which the native mapper hands back whole (vocabulary.ts).
 */
export type NativeUse = 'reads' | 'declines' | 'call';

const usage = (root: string): Record<string, NativeUse> => ({
  [root]: 'reads',
  [`${root}.prompt_tokens`]: 'reads',
  [`${root}.completion_tokens`]: 'reads',
  [`${root}.cache_read_input_tokens`]: 'reads',
  [`${root}.cache_creation_input_tokens`]: 'reads',
  [`${root}.prompt_cache_hit_tokens`]: 'reads',
  [`${root}.citation_tokens`]: 'reads',
  [`${root}.service_tier`]: 'reads',
  [`${root}.seconds`]: 'declines',
  [`${root}.type`]: 'declines',
  [`${root}.prompt_tokens_details`]: 'reads',
  [`${root}.prompt_tokens_details.cached_tokens`]: 'reads',
  [`${root}.prompt_tokens_details.cache_creation_tokens`]: 'reads',
  [`${root}.prompt_tokens_details.cache_write_tokens`]: 'reads',
  [`${root}.prompt_tokens_details.audio_tokens`]: 'reads',
  [`${root}.prompt_tokens_details.image_tokens`]: 'reads',
  [`${root}.prompt_tokens_details.text_tokens`]: 'reads',
  [`${root}.prompt_tokens_details.audio_length_seconds`]: 'declines',
  [`${root}.prompt_tokens_details.video_length_seconds`]: 'declines',
  [`${root}.prompt_tokens_details.character_count`]: 'declines',
  [`${root}.completion_tokens_details`]: 'reads',
  [`${root}.completion_tokens_details.text_tokens`]: 'reads',
  [`${root}.completion_tokens_details.reasoning_tokens`]: 'reads',
  [`${root}.completion_tokens_details.audio_tokens`]: 'reads',
  [`${root}.completion_tokens_details.image_tokens`]: 'reads',
  [`${root}.completion_tokens_details.citation_tokens`]: 'reads',
});

/** Dotted paths from the entry's root; an array is named by its own path (its items and length are its reading). */
export const FIELDS_READ: Readonly<Record<string, NativeUse>> = {
  id: 'reads', request_id: 'reads', litellm_call_id: 'reads', call_type: 'reads', status: 'reads', model: 'reads',
  custom_llm_provider: 'reads', user: 'reads', end_user: 'reads', api_base: 'reads', startTime: 'reads', endTime: 'reads',
  prompt_tokens: 'reads', completion_tokens: 'reads', response_cost: 'reads', cache_hit: 'reads', spend: 'declines',
  metadata: 'reads',
  'metadata.user_api_key_auth_metadata': 'reads',
  'metadata.user_api_key_auth_metadata.business_unit_id': 'reads',
  'metadata.user_api_key_team_id': 'reads',
  'metadata.team_id': 'reads',
  'metadata.user_api_key_team_alias': 'reads',
  'metadata.user_api_key_end_user_id': 'reads',
  'metadata.user_api_key_alias': 'reads',
  'metadata.batch_models': 'reads',
  ...usage('metadata.usage_object'),
  model_map_information: 'reads',
  'model_map_information.model_map_key': 'reads',
  'model_map_information.model_map_value': 'reads',
  'model_map_information.model_map_value.key': 'reads',
  'model_map_information.model_map_value.litellm_provider': 'reads',
  hidden_params: 'reads',
  'hidden_params.api_base': 'reads',
  'hidden_params.batch_models': 'reads',
  model_parameters: 'reads',
  'model_parameters.service_tier': 'reads',
  'model_parameters.input': 'call',
  'model_parameters.size': 'call',
  'model_parameters.n': 'call',
  messages: 'call',
  response: 'reads',
  'response.service_tier': 'reads',
  'response.duration': 'declines',
  'response.size': 'call',
  'response.data': 'call',
  ...usage('response.usage'),
  'response.usage.duration_seconds': 'declines',
  error_information: 'reads',
  'error_information.error_code': 'reads',
  'error_information.error_class': 'reads',
};

/** The `declines` fields grouped by the object that holds them, as the native mapper takes them. */
export function declinedGroups(): { parent: string[]; keys: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const [path, use] of Object.entries(FIELDS_READ)) {
    if (use !== 'declines') continue;
    const cut = path.lastIndexOf('.');
    const parent = cut < 0 ? '' : path.slice(0, cut);
    groups.set(parent, [...(groups.get(parent) ?? []), path.slice(cut + 1)]);
  }
  return [...groups].map(([parent, keys]) => ({ parent: parent === '' ? [] : parent.split('.'), keys }));
}
