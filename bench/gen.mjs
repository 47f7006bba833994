// Generates realistic LiteLLM StandardLoggingPayload NDJSON lines (~1.58 KB, the size the peers' reference figures were measured with; a few up to 1 MB) for the benchmarks.
import { createWriteStream, existsSync, statSync } from 'node:fs';

const MODELS = [['gpt-4o', 'openai', 'https://api.openai.com'], ['claude-3-7-sonnet', 'bedrock', 'https://bedrock-runtime.us-west-2.amazonaws.com/model/x/converse'],
  ['gemini-2.5-flash', 'vertex_ai', 'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/x'], ['gpt-4o-mini', 'azure', 'https://eu.api.openai.com']];
const WORDS = 'the quick brown fox jumps over the lazy dog while billing tokens per request and per team'.split(' ');

export function line(i, big = false) {
  const [model, provider, apiBase] = MODELS[i % MODELS.length];
  const start = 1766000000 + i * 0.01;
  const prompt = 100 + (i % 900);
  const completion = 20 + (i % 300);
  const cached = i % 3 === 0 ? Math.floor(prompt / 2) : 0;
  const text = Array.from({ length: big ? 90000 : 8 }, (_, k) => WORDS[(i + k) % WORDS.length]).join(' ');
  return JSON.stringify({
    id: `chatcmpl-${i.toString(16).padStart(12, '0')}-bench`, trace_id: `trace-${i}`, call_type: 'acompletion', cache_hit: null,
    stream: i % 2 === 0, status: i % 97 === 0 ? 'failure' : 'success', custom_llm_provider: provider, saved_cache_cost: 0,
    startTime: start, endTime: start + 1.25, completionStartTime: start + 0.5, response_time: 1.25, model,
    metadata: {
      user_api_key_hash: 'a1b2c3d4e5f6', user_api_key_alias: `key-${i % 17}`, user_api_key_team_id: `team-${i % 13}`,
      user_api_key_team_alias: `Team ${i % 13}`, user_api_key_user_id: `user-${i % 101}`, user_api_key_end_user_id: null,
      user_api_key_auth_metadata: i % 2 ? { business_unit_id: `bu-${i % 5}` } : {}, requester_ip_address: '10.0.0.1',
      usage_object: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion,
        prompt_tokens_details: { cached_tokens: cached, audio_tokens: null }, completion_tokens_details: { reasoning_tokens: i % 4 === 0 ? 10 : 0 } },
    },
    response_cost: 0.00022, total_tokens: prompt + completion, prompt_tokens: prompt, completion_tokens: completion,
    request_tags: ['prod'], end_user: '', api_base: apiBase, model_group: model, model_id: 'b68d56d76b0c24ac9462ab69',
    messages: [{ role: 'user', content: text }],
    response: { id: `chatcmpl-${i}`, object: 'chat.completion', choices: [{ finish_reason: 'stop', index: 0, message: { role: 'assistant', content: 'Paris is the capital of France.' } }] },
    model_parameters: { temperature: 0.2, max_tokens: 512, service_tier: i % 10 === 0 ? 'flex' : undefined },
    hidden_params: { model_id: 'b68d56d76b0c24ac9462ab69', response_cost: 0.00022, batch_models: null },
    error_str: null, error_information: { error_code: i % 97 === 0 ? '429' : '', error_class: '', llm_provider: '' },
  });
}

/** Writes `lines` lines to `path` unless a file of that name already holds them; one in 50,000 lines is ~1 MB. */
export async function generate(path, lines) {
  if (existsSync(path) && statSync(path).size > lines * 1000) return;
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i++) {
    if (!out.write(line(i, i % 50000 === 49999) + '\n')) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await generate(process.argv[2], Number(process.argv[3] ?? 1000000));
}
