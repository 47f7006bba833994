// The common case of mapping.md for one parsed line: a plain LiteLLM entry → its records, byte for byte as the
// JavaScript mapper writes them. Anything outside that case is handed back (Bail) and the JavaScript path runs.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "json_index.h"

namespace aflo {

/** What the region dimension is for one api_base text, as JavaScript worked it out. */
struct Region {
  enum Kind : uint8_t { None, Value, Bail } kind;
  std::string json;  // the value as JSON text (Value only)
};

/** The meters this code writes, by role (their names come from src/mapping/vocabulary.ts at create()). */
enum Meter : uint8_t { kTextTokens, kReasoningTokens, kAudioTokens, kImageTokens, kCitationTokens, kRequests, kSeconds, kMeters };
/** The base dimensions this code can work out; their order comes from vocabulary.ts (BASE_DIMENSIONS). */
enum Dim : uint8_t { kBusinessUnit, kUsecase, kProvider, kPlatform, kModel, kSku, kUser, kKeyName, kHostedEnv, kRegion, kBatch, kTier, kDims };

/** Everything the mapping's rules need that is not code: given by src/mapping (fast-mapper.ts) when a mapper is made. */
struct MapOptions {
  std::string customer;    // `"customerId":<json>,` or empty
  std::string hosted_env;  // the hostedEnv value as JSON text
  std::unordered_map<std::string, Region> regions;
  std::string meters[kMeters];  // meter names, by role
  std::vector<Dim> dims;        // the base dimensions in the order they are written
  std::string dim_names[kDims];  // and the key each is written with
  std::string type_key, cache_key, error_key;
  std::vector<std::string> tiers, batch_calls, speech_calls, image_call_parts;
  /** Fields whose presence hands the entry back, as keys from the entry's root, grouped by the object holding them. */
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> declined;
};

enum class Outcome { Mapped, Bail, NeedRegion };

/** One token quantity: meter, direction, cache kind (r, c, n) and value. */
struct Token {
  Meter meter;
  bool in;
  char cache;
  double value;
};

struct Mapped {
  std::string out;            // the records, newline-terminated
  std::vector<uint32_t> ends;  // just past each record's newline
  bool inconsistent = false;
  bool time_missing = false;
  std::string pending_region;  // the api_base text to ask JavaScript about (NeedRegion)
  // Scratch kept from entry to entry (its memory is reused): the record head, dimensions, error code, tokens.
  std::string head, dims, error, key;
  std::vector<Token> tokens, merged;
};

/** Maps the entry at node 0 of `doc`; `fallback_ms` stamps an entry with no usable time. */
Outcome map_entry(const JsonIndex& doc, const MapOptions& opts, double fallback_ms, Mapped& result);

}  // namespace aflo
