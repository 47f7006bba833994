// tokenLines(), asCacheHit() and the media meters of src/mapping/meters.ts for a plain entry.
#include <algorithm>

#include "entry_mapper.h"

namespace aflo {

void EntryMapper::tokens() {
  int32_t ru = response_usage_;
  auto prompt = n(f_.get(U_, "prompt_tokens"), f_.get(0, "prompt_tokens"), f_.get(ru, "prompt_tokens"));
  auto completion = n(f_.get(U_, "completion_tokens"), f_.get(0, "completion_tokens"), f_.get(ru, "completion_tokens"));
  auto reasoning = n(f_.get(C_, "reasoning_tokens"));
  auto audio_out = n(f_.get(C_, "audio_tokens"));
  auto image_out = n(f_.get(C_, "image_tokens"));
  auto citation = n(f_.get(C_, "citation_tokens"), f_.get(U_, "citation_tokens"));
  auto text_out = n(f_.get(C_, "text_tokens"));
  if (!text_out && f_.count(f_.get(C_, "text_tokens")).kind == Count::Undef && completion) {
    text_out = std::max(0.0, *completion - reasoning.value_or(0) - audio_out.value_or(0) - image_out.value_or(0) -
                                 citation.value_or(0));
  }
  auto audio_in = n(f_.get(P_, "audio_tokens"));
  auto image_in = n(f_.get(P_, "image_tokens"));
  auto reads = n(f_.get(P_, "cached_tokens"), f_.get(U_, "cache_read_input_tokens"), f_.get(U_, "prompt_cache_hit_tokens"));
  auto writes = n(f_.get(P_, "cache_creation_tokens"), f_.get(P_, "cache_write_tokens"), f_.get(U_, "cache_creation_input_tokens"));
  std::optional<double> uncached;
  if (prompt) {
    double media = audio_in.value_or(0) + image_in.value_or(0);
    double u = *prompt - media - reads.value_or(0) - writes.value_or(0);
    if (u < 0) u = *prompt - media;  // prompt_tokens counted without the cache (Anthropic messages)
    if (u < 0) r_.inconsistent = true;
    else uncached = u;
  } else {
    uncached = n(f_.get(P_, "text_tokens"));
  }
  auto add = [&](const char* meter, bool in, char cache, std::optional<double> v) {
    if (v && *v > 0) tokens_.push_back({meter, in, cache, *v});
  };
  add("llm_text_tokens", false, 'n', text_out);
  add("llm_reasoning_tokens", false, 'n', reasoning);
  add("llm_audio_tokens", false, 'n', audio_out);
  add("llm_image_tokens", false, 'n', image_out);
  add("llm_citation_tokens", false, 'n', citation);
  add("llm_audio_tokens", true, 'n', audio_in);
  add("llm_image_tokens", true, 'n', image_in);
  add("llm_text_tokens", true, 'r', reads);
  add("llm_text_tokens", true, 'c', writes);
  add("llm_text_tokens", true, 'n', uncached);
  int32_t hit = f_.get(0, "cache_hit");
  if (f_.is(hit, Type::True) || f_.equals(hit, "True") || f_.equals(hit, "true")) {
    // asCacheHit(): every token event a read, one event per meter and direction.
    std::vector<Token>& merged = r_.merged;
    merged.clear();
    for (const Token& t : tokens_) {
      Token* same = nullptr;
      for (Token& m : merged)
        if (std::string_view(m.meter) == t.meter && m.in == t.in) {
          same = &m;
          break;
        }
      if (same) same->value += t.value;
      else merged.push_back({t.meter, t.in, 'r', t.value});
    }
    tokens_.swap(merged);
  }
}

/** mediaMeters(): entries that have any of its fields go the JavaScript way. */
void EntryMapper::media() {
  if (f_.get(response_, "duration") >= 0 || f_.get(U_, "seconds") >= 0 || f_.equals(f_.get(U_, "type"), "duration") ||
      f_.get(P_, "audio_length_seconds") >= 0 || f_.get(P_, "video_length_seconds") >= 0 ||
      f_.get(f_.obj(f_.get(response_, "usage")), "duration_seconds") >= 0 || f_.get(P_, "character_count") >= 0) {
    throw BailOut{};
  }
  int32_t call_type = f_.get(0, "call_type");
  if (!f_.is(call_type, Type::String)) return;
  std::string_view c = f_.raw(call_type);
  if (c == "speech" || c == "aspeech" || c.find("image_generation") != std::string_view::npos ||
      c.find("image_edit") != std::string_view::npos || c.find("image_variation") != std::string_view::npos) {
    throw BailOut{};
  }
}

}  // namespace aflo
