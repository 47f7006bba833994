// The mapper of one plain entry (slp_map.h): what its parts share. Its methods are spread as src/mapping's files are:
// entry_dimensions.cc (recognise, dimensions), entry_meters.cc (token and media meters), slp_map.cc (records).
#pragma once
#include <optional>
#include <string_view>

#include "fields.h"
#include "slp_map.h"

namespace aflo {

constexpr size_t kMaxDimension = 200;

/** One entry mapped: its parts run in the order mapEntryInto runs them. */
class EntryMapper {
 public:
  EntryMapper(const JsonIndex& doc, const MapOptions& opts, Mapped& r)
      : f_(doc), opts_(opts), r_(r), head_(r.head), dims_(r.dims), error_(r.error), tokens_(r.tokens) {
    head_.clear();
    dims_.clear();
    error_.clear();
    tokens_.clear();
  }

  void run(double fallback_ms);

 private:
  /** recognise() at the top level, taking the entry as it is (wrappers and SpendLogs rows bail). */
  void recognise() {
    if (!f_.is(0, Type::Object)) throw BailOut{};
    if (!f_.given(f_.get(0, "id")) && !f_.given(f_.get(0, "request_id"))) throw BailOut{};
    if (!f_.given(f_.get(0, "call_type")) && !f_.given(f_.get(0, "status"))) throw BailOut{};
    int32_t meta = f_.get(0, "metadata");
    if (f_.is(meta, Type::String)) throw BailOut{};  // a SpendLogs row (so is one with `spend`: declines())
    bool usage = f_.given(f_.get(0, "prompt_tokens")) || f_.given(f_.get(0, "response_cost")) ||
                 (f_.is(meta, Type::Object) && f_.given(f_.get(meta, "usage_object")));
    if (!usage) throw BailOut{};
  }

  void put(Dim d, std::optional<std::string_view> value) {
    if (!value) return;
    if (value->size() > kMaxDimension) throw BailOut{};
    put_key(opts_.dim_names[d]);
    dims_ += '"';
    dims_ += *value;
    dims_ += '"';
  }

  void put_json(Dim d, std::string_view json) {
    put_key(opts_.dim_names[d]);
    dims_ += json;
  }

  void put_key(const std::string& key) {
    if (pairs_ > 0) dims_ += ',';
    dims_ += '"';
    dims_ += key;
    dims_ += "\":";
    pairs_++;
  }

  static bool contains(const std::vector<std::string>& list, std::string_view v) {
    for (const std::string& s : list)
      if (s == v) return true;
    return false;
  }

  template <typename... Rest>
  std::optional<std::string_view> first_text(int32_t i, Rest... rest) {
    auto t = f_.text(i);
    if constexpr (sizeof...(rest) > 0) return t ? t : first_text(rest...);
    else return t;
  }

  /** firstCount(): the first given count; a bad one met first marks the entry and gives undefined. */
  template <typename... Rest>
  std::optional<double> n(int32_t i, Rest... rest) {
    Count c = f_.count(i);
    if (c.kind == Count::Bad) {
      r_.inconsistent = true;
      return std::nullopt;
    }
    if (c.kind == Count::Val) return c.v;
    if constexpr (sizeof...(rest) > 0) return n(rest...);
    else return std::nullopt;
  }

  /** regionOf(): JavaScript's answer for this api_base text, asked for once. */
  std::optional<std::string_view> region(std::optional<std::string_view> api_base) {
    if (!api_base) return std::nullopt;
    r_.key.assign(*api_base);
    auto found = opts_.regions.find(r_.key);
    if (found == opts_.regions.end()) {
      r_.pending_region = std::string(*api_base);
      throw NeedRegion{};
    }
    if (found->second.kind == Region::Bail) throw BailOut{};
    if (found->second.kind == Region::None) return std::nullopt;
    return found->second.json;
  }

  bool non_empty(int32_t models) { return f_.is(models, Type::Array) ? f_.node(models).count > 0 : f_.text(models).has_value(); }

  void dimensions(int32_t meta);
  void tokens();
  void declines();
  void media();
  void record(Meter meter, double value, double ms, const Token* token);

 public:
  struct NeedRegion {};

 private:
  Fields f_;
  const MapOptions& opts_;
  Mapped& r_;
  std::string &head_, &dims_, &error_;
  std::vector<Token>& tokens_;
  int pairs_ = 0;
  int32_t response_ = -1, response_usage_ = -1, U_ = -1, P_ = -1, C_ = -1;
};

}  // namespace aflo
