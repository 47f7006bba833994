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

struct MapOptions {
  std::string customer;    // `"customerId":<json>,` or empty
  std::string hosted_env;  // the hostedEnv value as JSON text
  std::unordered_map<std::string, Region> regions;
};

enum class Outcome { Mapped, Bail, NeedRegion };

/** One token quantity: meter, direction, cache kind (r, c, n) and value. */
struct Token {
  const char* meter;
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
