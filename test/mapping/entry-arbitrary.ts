// Random LiteLLM entries and mapping options, mostly what LiteLLM writes, sometimes anything at all: for the tests
// that hold the two mappers equal and that record what the mapping reads.
import fc from 'fast-check';
import type { MappingOptions } from '../../src/mapping/types.js';
import { decodePiece } from '../../src/pipeline/decode.js';
import { MAPPING } from '../helpers.js';

/** Decodes `text` both ways; the two results must be the same in every field. */
export function bothWays(text: string | Buffer, mapping: MappingOptions = MAPPING) {
  const run = (native: boolean) => {
    const bytes = Buffer.from(text); // a copy: each run has bytes of its own
    const d = decodePiece({ bytes, state: { lineStart: 0, skipLen: 0, acc: null }, eof: 'final', sourceId: 's', fallbackTimeMs: 1700000000123 },
      { mapping: { ...mapping, native }, maxEntryBytes: 1 << 20 });
    return { records: d.data.toString('utf8'), ends: d.ends, starts: d.starts, recordsAfter: d.recordsAfter, info: d.info, checkpoint: d.checkpoint };
  };
  return { js: run(false), native: run(true) };
}


export const REGIONS = new Map([['mapped.example.com', 'eu-west-9'], ['long.example.com', 'r'.repeat(300)], ['quote.example.com', 'a"b']]);

const word = fc.constantFrom('', ' ', 'None', 'null', 'gpt-4o', ' padded ', 'flex', 'priority', 'failure', 'success', 'duration',
  'speech', 'aspeech', 'image_generation', 'x_image_edit', 'create_batch', 'acompletion', 'True', 'true', '429', 'a"b',
  'tab\there', 'é', '\u2028', '\u007f', 'x'.repeat(201), 'y'.repeat(200), '12', '1.5', '1766000000.123456789', ' 1766000001 ',
  '2025-01-01 10:00:00.5', '2025-01-01T10:00:00Z', 'inf', '-3', 'team-1', 'key-1');
const number = fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 0.5, 1e21, 1e-7, 1.5e-7, 123.456, 2 ** 53, 2 ** 53 + 2, 1766000000.25, 1766000003.999999, 1e300, 5e-324));
const anything = fc.oneof(word, number, fc.string({ maxLength: 12 }), fc.constantFrom(null, true, false, undefined, [], [1], {}, { a: 1 }));
/** Mostly what LiteLLM writes, sometimes anything at all. */
const often = <T>(usual: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 40 }, { arbitrary: anything, weight: 1 });
/** Mostly absent (fields that send an entry the JavaScript way), sometimes there. */
const rare = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 12 }, { arbitrary: arb, weight: 1 });
const count = often(fc.integer({ min: 0, max: 100000 }));
const plain = often(fc.constantFrom('gpt-4o', 'team-1', 'key-1', 'openai', 'bedrock', 'u-1'));
const apiBase = often(fc.constantFrom('https://bedrock-runtime.us-east-1.amazonaws.com', 'eu.api.openai.com', 'https://api.openai.com',
  'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/x', 'http://h/locations/global/m',
  'https://mapped.example.com/v1', 'https://long.example.com', 'https://quote.example.com', 'not a url ::'));
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const details = fc.record({ cached_tokens: count, audio_tokens: count, image_tokens: count, cache_creation_tokens: count,
  cache_write_tokens: count, text_tokens: count, reasoning_tokens: count, citation_tokens: count, audio_length_seconds: rare(count),
  video_length_seconds: rare(count), character_count: rare(count) }, { requiredKeys: [] });
const usageObject = fc.record({ prompt_tokens: count, completion_tokens: count, prompt_tokens_details: often(details),
  completion_tokens_details: often(details), cache_read_input_tokens: count, cache_creation_input_tokens: count,
  prompt_cache_hit_tokens: count, citation_tokens: count, service_tier: plain, type: rare(word), seconds: rare(count),
  duration_seconds: rare(count) }, { requiredKeys: [] });

export const entry = fc.record({
  id: plain, request_id: opt(plain), litellm_call_id: opt(plain), call_type: often(fc.constantFrom('acompletion', 'embedding', 'create_batch')),
  status: often(fc.constantFrom('success', 'failure')), custom_llm_provider: plain, model: plain, user: opt(plain), end_user: opt(plain),
  api_base: apiBase, startTime: often(fc.double({ min: 1.6e9, max: 1.8e9, noNaN: true })),
  endTime: often(fc.double({ min: 1.6e9, max: 1.8e9, noNaN: true })), prompt_tokens: count, completion_tokens: count,
  response_cost: opt(anything), cache_hit: opt(anything), spend: rare(anything),
  metadata: often(fc.record({ user_api_key_alias: plain, user_api_key_team_id: plain, team_id: plain, user_api_key_team_alias: plain,
    user_api_key_end_user_id: plain, user_api_key_auth_metadata: often(fc.record({ business_unit_id: plain }, { requiredKeys: [] })),
    usage_object: often(usageObject), batch_models: opt(anything) }, { requiredKeys: [] })),
  model_map_information: opt(fc.record({ model_map_key: plain, model_map_value: often(fc.record({ litellm_provider: plain, key: plain })) }, { requiredKeys: [] })),
  hidden_params: opt(fc.record({ api_base: apiBase, batch_models: anything }, { requiredKeys: [] })),
  model_parameters: opt(fc.record({ service_tier: plain, input: anything, size: anything, n: anything }, { requiredKeys: [] })),
  response: opt(fc.record({ usage: often(usageObject), service_tier: plain, duration: rare(count), size: opt(anything), data: opt(anything) }, { requiredKeys: [] })),
  error_information: opt(fc.record({ error_code: plain }, { requiredKeys: [] })),
}, { requiredKeys: ['id'] });

export const options = fc.record({
  hostedEnv: fc.constantFrom('prod', 'ü-env', 'q"e', 'h'.repeat(201)), customerId: fc.constantFrom(undefined, 'cust-1', 'ü"c'),
  sendObjectMetadata: fc.boolean(), regionMap: fc.constant(REGIONS),
});

