// The billing vocabulary, in one place: meter names, the dimensions and their order, and the value lists the rules
// test against. The JavaScript mapper, `meters provision` and the native mapper (given these at create()) read them here.

/** The meters of the default mapping, by role, with the label `meters provision` gives each. */
export const METERS = {
  textTokens: { name: 'llm_text_tokens', label: 'LLM text tokens', tokens: true },
  reasoningTokens: { name: 'llm_reasoning_tokens', label: 'LLM reasoning tokens', tokens: true },
  audioTokens: { name: 'llm_audio_tokens', label: 'LLM audio tokens', tokens: true },
  imageTokens: { name: 'llm_image_tokens', label: 'LLM image tokens', tokens: true },
  citationTokens: { name: 'llm_citation_tokens', label: 'LLM citation tokens', tokens: true },
  requests: { name: 'llm_requests', label: 'LLM requests', tokens: false },
  seconds: { name: 'llm_seconds', label: 'LLM request seconds', tokens: false },
  audioSeconds: { name: 'llm_audio_seconds', label: 'LLM audio seconds', tokens: false },
  videoSeconds: { name: 'llm_video_seconds', label: 'LLM video seconds', tokens: false },
  characters: { name: 'llm_characters', label: 'LLM characters', tokens: false },
  pixels: { name: 'llm_pixels', label: 'LLM image pixels', tokens: false },
  images: { name: 'llm_images', label: 'LLM images', tokens: false },
} as const;

export type MeterRole = keyof typeof METERS;

/** Dimensions every event of an entry carries (when given), in this order. */
export const BASE_DIMENSIONS = ['business_unit_id', 'usecase', 'provider', 'platform', 'model', 'sku', 'user', 'keyName',
  'hostedEnv', 'region', 'batch', 'tier'] as const;
export type BaseDimension = (typeof BASE_DIMENSIONS)[number];

/** After the base dimensions: token meters' direction and cache kind, then a failure's code. */
export const TOKEN_TYPE = 'type';
export const TOKEN_CACHE = 'cache';
export const ERROR_CODE = 'error_code';

/** `service_tier` values kept as the tier dimension; any other is `n`. */
export const TIERS: readonly string[] = ['flex', 'priority'];
/** Call types of the batch API: `batch` is `y`. */
export const BATCH_CALLS: readonly string[] = ['create_batch', 'acreate_batch', 'retrieve_batch', 'aretrieve_batch'];
/** Text-to-speech calls: billed by characters. */
export const SPEECH_CALLS: readonly string[] = ['speech', 'aspeech'];
/** A call type containing one of these is an image call (and its `a`-prefixed forms): pixels, images, image tokens. */
export const IMAGE_CALL_PARTS: readonly string[] = ['image_generation', 'image_edit', 'image_variation'];

export function isImageCallType(callType: unknown): boolean {
  return typeof callType === 'string' && IMAGE_CALL_PARTS.some((p) => callType.includes(p));
}
