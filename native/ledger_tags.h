// Ledger keys of event records, worked out in one pass (ledger_tags.cc); src/ledger/ledger-key.ts is the definition.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aflo {

/** `key_out[r]` for a record left to JavaScript. */
constexpr int32_t kLeftToJs = -2;

/**
 * For the `count` newline-terminated records in `data` (`ends[r]`: just past record r's newline): the index of each
 * record's key in the returned list, or kLeftToJs, and its value. `dims`: the ledger's dimension names, in key order.
 */
std::vector<std::string> ledger_tags(const char* data, const uint32_t* ends, size_t count, const std::vector<std::string>& dims,
                                     int32_t* key_out, double* value_out);

}  // namespace aflo
