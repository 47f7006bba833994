// Readers for LiteLLM fields over the node index, each as src/mapping/fields.ts and time.ts read them; a value
// those read in a way this code does not repeat (escapes, numeric strings, date strings) throws BailOut.
#pragma once
#include <cmath>
#include <optional>
#include <string_view>

#include "json_index.h"

namespace aflo {

struct BailOut {};

/** A count: undefined, given but negative or non-finite (mapping.md §2), or a value ≥ 0. */
struct Count {
  enum Kind : uint8_t { Undef, Bad, Val } kind;
  double v;
};

class Fields {
 public:
  explicit Fields(const JsonIndex& doc) : doc_(doc) {}

  const Node& node(int32_t i) const { return doc_.node(i); }
  bool is(int32_t i, Type t) const { return i >= 0 && doc_.node(i).type == t; }
  /** isObj: an object (not an array, not null); -1 stands for undefined or `{}` alike. */
  int32_t obj(int32_t i) const { return is(i, Type::Object) ? i : -1; }
  int32_t get(int32_t o, std::string_view key) const { return doc_.get(o, key); }
  int32_t at(int32_t o, std::string_view a, std::string_view b) const { return get(obj(get(o, a)), b); }
  int32_t at(int32_t o, std::string_view a, std::string_view b, std::string_view c) const { return get(obj(at(o, a, b)), c); }

  /** A string's text as it is; a string with escapes or non-ASCII bytes bails. */
  std::string_view raw(int32_t i) const {
    const Node& n = doc_.node(i);
    if (!n.plain) throw BailOut{};
    return doc_.text(n);
  }

  /** A string equal to `s` (a string with escapes bails: it might be). */
  bool equals(int32_t i, std::string_view s) const { return is(i, Type::String) && raw(i) == s; }

  /** text(): a trimmed non-empty string other than None / null (numbers, read as their text there, bail). */
  std::optional<std::string_view> text(int32_t i) const {
    if (i < 0) return std::nullopt;
    const Node& n = doc_.node(i);
    if (n.type == Type::Number) throw BailOut{};
    if (n.type != Type::String) return std::nullopt;
    std::string_view t = trim(raw(i));
    if (t.empty() || t == "None" || t == "null") return std::nullopt;
    return t;
  }

  /** given(): present and not null, '' or 'None'. */
  bool given(int32_t i) const {
    if (i < 0 || is(i, Type::Null)) return false;
    if (!is(i, Type::String)) return true;
    std::string_view s = raw(i);
    return !s.empty() && s != "None";
  }

  /** count(): numbers as they are; null, '' and 'None' are not given; other strings bail; other types are not counts. */
  Count count(int32_t i) const {
    if (i < 0) return {Count::Undef, 0};
    const Node& n = doc_.node(i);
    if (n.type == Type::Number) return n.num >= 0 ? Count{Count::Val, n.num} : Count{Count::Bad, 0};
    if (n.type == Type::String) {
      std::string_view s = raw(i);
      if (s.empty() || s == "None") return {Count::Undef, 0};
      throw BailOut{};
    }
    return {Count::Undef, 0};
  }

  /** toMicros(): epoch seconds as a number or a plain numeric string → integer microseconds, if usable. */
  std::optional<double> micros(int32_t i) const {
    if (i < 0) return std::nullopt;
    const Node& n = doc_.node(i);
    double m;
    if (n.type == Type::Number) m = js_round(n.num * 1e6);
    else if (n.type == Type::String) {
      std::string_view s = trim(raw(i));
      if (s.empty() || s == "None") return std::nullopt;
      if (!seconds_text(s, m)) throw BailOut{};
    } else return std::nullopt;
    if (m > 0 && m <= 1e11 * 1e6) return m;
    return std::nullopt;
  }

  static std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  }

  /** Math.round: the nearest integer, halves toward +∞. */
  static double js_round(double x) {
    double r = std::floor(x);
    return x - r >= 0.5 ? r + 1 : r;
  }

 private:
  /** `\d{1,12}(\.\d+)?` → whole × 1e6 + the first six fraction digits, as time.ts computes it. */
  static bool seconds_text(std::string_view s, double& m) {
    size_t dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    if (whole.empty() || whole.size() > 12) return false;
    double w = 0;
    for (char c : whole) {
      if (c < '0' || c > '9') return false;
      w = w * 10 + (c - '0');
    }
    double f = 0;
    if (dot != std::string_view::npos) {
      std::string_view frac = s.substr(dot + 1);
      if (frac.empty()) return false;
      for (size_t k = 0; k < frac.size(); k++) {
        char c = frac[k];
        if (c < '0' || c > '9') return false;
        if (k < 6) f = f * 10 + (c - '0');
      }
      for (size_t k = frac.size(); k < 6; k++) f *= 10;
    }
    m = w * 1e6 + f;
    return true;
  }

  const JsonIndex& doc_;
};

}  // namespace aflo
