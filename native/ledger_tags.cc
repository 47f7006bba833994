// Ledger keys of event records (src/ledger/ledger-key.ts defines them; the dimension names come from there): one
// forward pass over each record as the encoder writes it. A record this pass does not fully understand (an escape,
// a byte above ASCII in a part of the key, another layout, a number it cannot read) is left to JavaScript.
#include "ledger_tags.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

namespace aflo {
namespace {

constexpr char kQuote = '"', kBackslash = '\\';
constexpr long long kHourMs = 3600000;
constexpr size_t kMaxDims = 8;

struct Span {
  const char* p = nullptr;
  size_t n = 0;
};

/**
 * From `i` at an opening quote: the string's bytes, `i` past its closing quote (the record holds no backslash, so
 * the next quote closes it); `ascii`: false when a byte is above ASCII.
 */
inline bool read_string(const char* s, size_t end, size_t& i, Span& out, bool ascii) {
  if (i >= end || s[i] != kQuote) return false;
  size_t a = ++i;
  while (i < end && s[i] != kQuote) i++;
  if (i >= end) return false;
  if (ascii) {
    for (size_t k = a; k < i; k++) if (static_cast<unsigned char>(s[k]) >= 0x80) return false;
  }
  out = {s + a, i - a};
  i++;
  return true;
}

bool digit(char c) { return c >= '0' && c <= '9'; }

bool is(const Span& s, const char* name) {
  size_t n = std::char_traits<char>::length(name);
  return s.n == n && std::char_traits<char>::compare(s.p, name, n) == 0;
}

/** A JSON number's bytes (its grammar exactly: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?), `i` past them. */
bool read_number(const char* s, size_t end, size_t& i, Span& out) {
  size_t a = i;
  if (i < end && s[i] == '-') i++;
  if (i < end && s[i] == '0') i++;
  else if (i < end && digit(s[i])) while (i < end && digit(s[i])) i++;
  else return false;
  if (i < end && s[i] == '.') {
    if (++i >= end || !digit(s[i])) return false;
    while (i < end && digit(s[i])) i++;
  }
  if (i < end && (s[i] == 'e' || s[i] == 'E')) {
    if (++i < end && (s[i] == '+' || s[i] == '-')) i++;
    if (i >= end || !digit(s[i])) return false;
    while (i < end && digit(s[i])) i++;
  }
  out = {s + a, i - a};
  return out.n < 40;
}

/** The key of one record, or false (JavaScript reads it). */
bool record_key(const char* s, size_t end, const std::vector<std::string>& dims, std::string& key, double& value) {
  static const char kHead[] = "{\"uniqueId\":";
  if (end < sizeof kHead || std::char_traits<char>::compare(s, kHead, sizeof kHead - 1) != 0) return false;
  // An escape anywhere: JavaScript reads the record (then every quote below delimits a string).
  if (std::memchr(s, kBackslash, end) != nullptr) return false;
  size_t i = 1;
  Span meter, customer, number_value, number_time;
  Span dim_values[kMaxDims];
  bool has_dims = false;
  for (;;) {
    Span name;
    if (!read_string(s, end, i, name, false) || i >= end || s[i] != ':') return false;
    i++;
    if (i >= end) return false;
    if (s[i] == kQuote) {
      Span v;
      bool wanted = is(name, "meterApiName") || is(name, "customerId");
      if (!read_string(s, end, i, v, wanted)) return false;
      if (is(name, "meterApiName")) meter = v;
      else if (is(name, "customerId")) customer = v;
    } else if (s[i] == '{') {
      if (!is(name, "dimensions")) return false;
      has_dims = true;
      i++;
      if (i < end && s[i] == '}') {
        i++;
      } else {
        for (;;) {
          Span k, v;
          if (!read_string(s, end, i, k, false) || i >= end || s[i] != ':') return false;
          i++;
          size_t slot = 0;
          while (slot < dims.size() && !(k.n == dims[slot].size() && std::char_traits<char>::compare(k.p, dims[slot].data(), k.n) == 0)) slot++;
          if (!read_string(s, end, i, v, slot < dims.size())) return false;
          if (slot < dims.size()) dim_values[slot] = v;
          if (i < end && s[i] == ',') { i++; continue; }
          if (i < end && s[i] == '}') { i++; break; }
          return false;
        }
      }
    } else {
      Span v;
      // A meter or customer that is no string: JavaScript's reading says what it counts as.
      if (is(name, "meterApiName") || is(name, "customerId") || !read_number(s, end, i, v)) return false;
      if (is(name, "meterValue")) number_value = v;
      else if (is(name, "meterTimeInMillis")) number_time = v;
    }
    if (i < end && s[i] == ',') { i++; continue; }
    if (i < end && s[i] == '}' && i + 1 == end) break;
    return false;
  }
  if (meter.p == nullptr || number_value.p == nullptr || number_time.p == nullptr || !has_dims) return false;
  // The time: digits only (what the encoder writes), at most 15 of them (exact as a double in JavaScript too).
  if (number_time.n > 15) return false;
  long long time = 0;
  for (size_t k = 0; k < number_time.n; k++) {
    char c = number_time.p[k];
    if (c < '0' || c > '9') return false;
    time = time * 10 + (c - '0');
  }
  // Integers (nearly every value) are read here; others by strtod, which rounds as JavaScript does.
  long long whole = 0;
  size_t k = 0;
  while (k < number_value.n && k < 15 && digit(number_value.p[k])) whole = whole * 10 + (number_value.p[k++] - '0');
  if (k == number_value.n) {
    value = static_cast<double>(whole);
  } else {
    char text[48];
    std::memcpy(text, number_value.p, number_value.n);
    text[number_value.n] = '\0';
    char* stop = nullptr;
    value = std::strtod(text, &stop);
    if (stop != text + number_value.n || !(value - value == 0)) return false;
  }
  // The hour's start in decimal (what String() writes for it): digits of a non-negative integer.
  char hour[24];
  char* h = hour + sizeof hour;
  long long start = time / kHourMs * kHourMs;
  do *--h = static_cast<char>('0' + start % 10); while ((start /= 10) > 0);
  key.assign(h, static_cast<size_t>(hour + sizeof hour - h));
  key.push_back('\0');
  key.append(meter.p, meter.n);
  for (size_t d = 0; d < dims.size(); d++) {
    key.push_back('\0');
    if (dim_values[d].p != nullptr) key.append(dim_values[d].p, dim_values[d].n);
  }
  key.push_back('\0');
  if (customer.p != nullptr) key.append(customer.p, customer.n);
  return true;
}

}  // namespace

std::vector<std::string> ledger_tags(const char* data, const uint32_t* ends, size_t count, const std::vector<std::string>& dims,
                                     int32_t* key_out, double* value_out) {
  std::vector<std::string> keys;
  if (dims.size() > kMaxDims) {
    for (size_t r = 0; r < count; r++) key_out[r] = kLeftToJs;
    return keys;
  }
  std::unordered_map<std::string, int32_t> index;
  std::string key;
  size_t start = 0;
  for (size_t r = 0; r < count; r++) {
    size_t end = ends[r] - 1;  // without its newline
    double value = 0;
    if (end > start && record_key(data + start, end - start, dims, key, value)) {
      auto found = index.find(key);
      if (found == index.end()) {
        found = index.emplace(key, static_cast<int32_t>(keys.size())).first;
        keys.push_back(key);
      }
      key_out[r] = found->second;
      value_out[r] = value;
    } else {
      key_out[r] = kLeftToJs;
      value_out[r] = 0;
    }
    start = ends[r];
  }
  return keys;
}

}  // namespace aflo
