// The meter tables of docs/mapping.md §3: token quantities by kind and direction, and the non-token meters.
import type { Obj } from '../entries/recognise.js';
import { at, count, firstCount, obj } from './fields.js';
import { isImageCallType, METERS, SPEECH_CALLS } from './vocabulary.js';

export type TokenLine = { meter: string; type: 'in' | 'out'; cache: 'r' | 'c' | 'n'; value: number };

/** The usage object U, with its prompt (P) and completion (C) details, as docs/mapping.md §2–3 locate them. */
export type Usage = { U: Obj; P: Obj; C: Obj; response: Obj };

export function usageOf(slp: Obj): Usage {
  const response = obj(slp.response) ?? {};
  const responseUsage = obj(response.usage) ?? {};
  const U = obj(at(slp, 'metadata.usage_object')) ?? responseUsage;
  const P = obj(U.prompt_tokens_details) ?? obj(responseUsage.prompt_tokens_details) ?? {};
  const C = obj(U.completion_tokens_details) ?? obj(responseUsage.completion_tokens_details) ?? {};
  return { U, P, C, response };
}

/** Token quantities; `bad` is called for every negative or non-finite count met. */
export function tokenLines(slp: Obj, usage: Usage, bad: () => void): TokenLine[] {
  const { U, P, C, response } = usage;
  const ru = obj(response.usage) ?? {};
  const n = (...values: unknown[]) => firstCount(values, bad);
  const prompt = n(U.prompt_tokens, slp.prompt_tokens, ru.prompt_tokens);
  const completion = n(U.completion_tokens, slp.completion_tokens, ru.completion_tokens);

  const reasoning = n(C.reasoning_tokens);
  const audioOut = n(C.audio_tokens);
  const imageOut = n(C.image_tokens);
  const citation = n(C.citation_tokens, U.citation_tokens);
  let textOut = n(C.text_tokens);
  if (textOut === undefined && count(C.text_tokens) === undefined && completion !== undefined) {
    textOut = Math.max(0, completion - (reasoning ?? 0) - (audioOut ?? 0) - (imageOut ?? 0) - (citation ?? 0));
  }
  // An image call's output tokens without a breakdown are the image it made (gpt-image-1), priced as image tokens.
  let imageOutAll = imageOut;
  if (isImageCall(slp) && completion !== undefined && Object.values(C).every((v) => v === null || v === undefined)) {
    imageOutAll = completion;
    textOut = undefined;
  }

  const audioIn = n(P.audio_tokens);
  const imageIn = n(P.image_tokens);
  const reads = n(P.cached_tokens, U.cache_read_input_tokens, U.prompt_cache_hit_tokens);
  const writes = n(P.cache_creation_tokens, P.cache_write_tokens, U.cache_creation_input_tokens);
  let uncached: number | undefined;
  if (prompt !== undefined) {
    const media = (audioIn ?? 0) + (imageIn ?? 0);
    uncached = prompt - media - (reads ?? 0) - (writes ?? 0);
    // Negative: the provider counted prompt_tokens without the cache (Anthropic messages convention).
    if (uncached < 0) uncached = prompt - media;
    if (uncached < 0) {
      bad();
      uncached = undefined;
    }
  } else {
    uncached = n(P.text_tokens);
  }

  const lines: TokenLine[] = [];
  const add = (meter: string, type: 'in' | 'out', cache: 'r' | 'c' | 'n', value: number | undefined) => {
    if (value !== undefined && value > 0) lines.push({ meter, type, cache, value });
  };
  add(METERS.textTokens.name, 'out', 'n', textOut);
  add(METERS.reasoningTokens.name, 'out', 'n', reasoning);
  add(METERS.audioTokens.name, 'out', 'n', audioOut);
  add(METERS.imageTokens.name, 'out', 'n', imageOutAll);
  add(METERS.citationTokens.name, 'out', 'n', citation);
  add(METERS.audioTokens.name, 'in', 'n', audioIn);
  add(METERS.imageTokens.name, 'in', 'n', imageIn);
  add(METERS.textTokens.name, 'in', 'r', reads);
  add(METERS.textTokens.name, 'in', 'c', writes);
  add(METERS.textTokens.name, 'in', 'n', uncached);
  return lines;
}

/** A response served from LiteLLM's own cache: every token event is a read, and text input collapses into one event. */
export function asCacheHit(lines: TokenLine[]): TokenLine[] {
  const out: TokenLine[] = [];
  for (const l of lines) {
    const same = out.find((o) => o.meter === l.meter && o.type === l.type);
    if (same) same.value += l.value;
    else out.push({ ...l, cache: 'r' });
  }
  return out;
}

/** image_generation, image_edit, image_variation and their a- forms (mapping: image calls). */
export function isImageCall(slp: Obj): boolean {
  return isImageCallType(slp.call_type);
}

/** Non-token meters other than requests and seconds: [meter, value] for each with a value > 0. */
export function mediaMeters(slp: Obj, usage: Usage, bad: () => void): [string, number][] {
  const { U, P, response } = usage;
  const out: [string, number][] = [];
  const add = (meter: string, value: number | undefined) => {
    if (value !== undefined && value > 0) out.push([meter, value]);
  };
  // Most entries are chat completions with none of these fields: look before building anything.
  const responseUsage = response.usage;
  const usageSeconds = U.type === 'duration' || U.seconds !== undefined ? U.seconds : undefined;
  if (response.duration !== undefined || usageSeconds !== undefined || P.audio_length_seconds !== undefined) {
    add(METERS.audioSeconds.name, firstCount([response.duration, usageSeconds, P.audio_length_seconds], bad));
  }
  if (P.video_length_seconds !== undefined || (responseUsage !== undefined && at(responseUsage, 'duration_seconds') !== undefined)) {
    add(METERS.videoSeconds.name, firstCount([P.video_length_seconds, at(responseUsage, 'duration_seconds')], bad));
  }
  add(METERS.characters.name, (P.character_count !== undefined ? firstCount([P.character_count], bad) : undefined) ?? speechCharacters(slp));
  add(METERS.pixels.name, pixels(slp, response, bad));
  if (slp.status !== 'failure' && isImageCall(slp)) add(METERS.images.name, imageCount(slp, response, bad));
  return out;
}

/** Images an image call made: `response.data`'s length, else `model_parameters.n`, else 1. */
function imageCount(slp: Obj, response: Obj, bad: () => void): number {
  return Array.isArray(response.data) ? response.data.length : firstCount([at(slp, 'model_parameters.n')], bad) ?? 1;
}

function speechCharacters(slp: Obj): number | undefined {
  if (typeof slp.call_type !== 'string' || !SPEECH_CALLS.includes(slp.call_type)) return undefined;
  const input = at(slp, 'model_parameters.input') ?? slp.messages;
  const textInput = typeof input === 'string' ? input : Array.isArray(input) ? at(input[0], 'content') : undefined;
  return typeof textInput === 'string' ? [...textInput].length : undefined;
}

function pixels(slp: Obj, response: Obj, bad: () => void): number | undefined {
  if (!isImageCall(slp)) return undefined;
  const size = [response.size, at(slp, 'model_parameters.size')].find((s) => typeof s === 'string' && /^\d+x\d+$/.test(s));
  if (typeof size !== 'string') return undefined;
  const [w, h] = size.split('x').map(Number);
  return w * h * imageCount(slp, response, bad);
}
