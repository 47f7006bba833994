// mapping.md for a plain LiteLLM entry, step for step as src/mapping (recognise, dimensions, meters, map-entry,
// entry-records) does it; every place where those would take a path not repeated here bails. This file: the
// records (map-entry.ts, entry-records.ts).
#include "slp_map.h"

#include <cmath>

#include "entry_mapper.h"
#include "js_number.h"

namespace aflo {

void EntryMapper::record(Meter meter, double value, double ms, const Token* token) {
  std::string& o = r_.out;
  o += head_;
  o += "\"meterApiName\":\"";
  o += opts_.meters[meter];
  o += "\",\"meterValue\":";
  append_js_number(o, value);
  o += ",\"meterTimeInMillis\":";
  append_js_number(o, ms);
  o += ",\"dimensions\":{";
  o += dims_;
  if (token) {
    if (pairs_ > 0) o += ',';
    o += '"';
    o += opts_.type_key;
    o += token->in ? "\":\"in\",\"" : "\":\"out\",\"";
    o += opts_.cache_key;
    o += "\":\"";
    o += token->cache;
    o += '"';
  }
  o += error_;
  o += "}}\n";
  r_.ends.push_back(static_cast<uint32_t>(o.size()));
}

void EntryMapper::run(double fallback_ms) {
  recognise();
  declines();
  int32_t meta = f_.obj(f_.get(0, "metadata"));
  response_ = f_.obj(f_.get(0, "response"));
  response_usage_ = f_.obj(f_.get(response_, "usage"));
  U_ = f_.obj(f_.get(meta, "usage_object"));
  if (U_ < 0) U_ = response_usage_;
  P_ = f_.obj(f_.get(U_, "prompt_tokens_details"));
  if (P_ < 0) P_ = f_.obj(f_.get(response_usage_, "prompt_tokens_details"));
  C_ = f_.obj(f_.get(U_, "completion_tokens_details"));
  if (C_ < 0) C_ = f_.obj(f_.get(response_usage_, "completion_tokens_details"));
  dimensions(meta);

  auto start = f_.micros(f_.get(0, "startTime"));
  auto end = f_.micros(f_.get(0, "endTime"));
  r_.time_missing = !start && !end;
  double start_ms = start ? std::floor(*start / 1000) : end ? std::floor(*end / 1000) : fallback_ms;
  double end_ms = end ? std::floor(*end / 1000) : start_ms;

  auto id = first_text(f_.get(0, "request_id"), f_.get(0, "id"), f_.get(0, "litellm_call_id"));
  if (!id) throw BailOut{};  // the fallback id is a hash of where the entry sits
  head_ += "{\"uniqueId\":\"";
  head_ += *id;
  head_ += "\",";
  head_ += opts_.customer;

  tokens();
  media();
  // A value past the largest double (summed or multiplied counts) is no usage: the entry is inconsistent and the
  // meter left out, as mapEntryInto() does; a record never holds a bare Infinity.
  for (const Token& t : tokens_) {
    if (std::isfinite(t.value)) record(t.meter, t.value, t.in ? start_ms : end_ms, &t);
    else r_.inconsistent = true;
  }
  record(kRequests, 1, start_ms, nullptr);
  if (start && end) {
    double seconds = (*end - *start) / 1e6;
    if (*end >= *start && std::isfinite(seconds)) record(kSeconds, seconds, end_ms, nullptr);
    else r_.inconsistent = true;
  }
}

Outcome map_entry(const JsonIndex& doc, const MapOptions& opts, double fallback_ms, Mapped& result) {
  result.out.clear();
  result.ends.clear();
  result.inconsistent = false;
  result.time_missing = false;
  EntryMapper m(doc, opts, result);
  try {
    m.run(fallback_ms);
    return Outcome::Mapped;
  } catch (const BailOut&) {
    return Outcome::Bail;
  } catch (const EntryMapper::NeedRegion&) {
    return Outcome::NeedRegion;
  }
}

}  // namespace aflo
