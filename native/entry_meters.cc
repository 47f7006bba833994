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
  auto add = [&](Meter meter, bool in, char cache, std::optional<double> v) {
    if (v && *v > 0) tokens_.push_back({meter, in, cache, *v});
  };
  add(kTextTokens, false, 'n', text_out);
  add(kReasoningTokens, false, 'n', reasoning);
  add(kAudioTokens, false, 'n', audio_out);
  add(kImageTokens, false, 'n', image_out);
  add(kCitationTokens, false, 'n', citation);
  add(kAudioTokens, true, 'n', audio_in);
  add(kImageTokens, true, 'n', image_in);
  add(kTextTokens, true, 'r', reads);
  add(kTextTokens, true, 'c', writes);
  add(kTextTokens, true, 'n', uncached);
  int32_t hit = f_.get(0, "cache_hit");
  if (f_.is(hit, Type::True) || f_.equals(hit, "True") || f_.equals(hit, "true")) {
    // asCacheHit(): every token event a read, one event per meter and direction.
    std::vector<Token>& merged = r_.merged;
    merged.clear();
    for (const Token& t : tokens_) {
      Token* same = nullptr;
      for (Token& m : merged)
        if (m.meter == t.meter && m.in == t.in) {
          same = &m;
          break;
        }
      if (same) same->value += t.value;
      else merged.push_back({t.meter, t.in, 'r', t.value});
    }
    tokens_.swap(merged);
  }
}

/** Entries with a field src/mapping/fields-read.ts marks `declines` go the JavaScript way. */
void EntryMapper::declines() {
  for (const auto& [parent, keys] : opts_.declined) {
    int32_t o = 0;
    for (const std::string& k : parent) o = f_.obj(f_.get(o, k));
    if (o < 0) continue;
    for (const std::string& k : keys)
      if (f_.get(o, k) >= 0) throw BailOut{};
  }
}

/** mediaMeters(): speech and image calls (vocabulary.ts) go the JavaScript way. */
void EntryMapper::media() {
  int32_t call_type = f_.get(0, "call_type");
  if (!f_.is(call_type, Type::String)) return;
  std::string_view c = f_.raw(call_type);
  for (const std::string& s : opts_.speech_calls)
    if (c == s) throw BailOut{};
  for (const std::string& part : opts_.image_call_parts)
    if (c.find(part) != std::string_view::npos) throw BailOut{};
}

}  // namespace aflo
