// Node-API surface of the fast mapper: a mapper per thread, lines mapped straight into a RecordBuffer's bytes.
#include <node_api.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "gzip_body.h"
#include "json_index.h"
#include "ledger_tags.h"
#include "slp_map.h"

namespace {

using aflo::Outcome;

struct FastMapper {
  aflo::MapOptions opts;
  aflo::JsonIndex doc;
  aflo::Mapped mapped;
};

constexpr size_t kRegionLimit = 1000;  // as the JavaScript region cache

/**
 * What mapLine answers: a record count with flags above it, or one of the negative codes. Defined here only;
 * JavaScript reads them from the addon's `protocol` export.
 */
constexpr int kBail = -1;        // the JavaScript path must read the line
constexpr int kNeedRegion = -2;  // learnRegion(pendingRegion()) first, then map again
constexpr int kNoRoom = -3;      // out needs ends[0] bytes free
constexpr int kFlagShift = 8;    // records | flags << kFlagShift
constexpr int kInconsistent = 1, kTimeMissing = 2;
constexpr size_t kKeepOutBytes = 1 << 20;

#define CHECK(call)                                   \
  do {                                                \
    if ((call) != napi_ok) return nullptr;            \
  } while (0)

std::string string_arg(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return {};
  std::string s(len, '\0');
  napi_get_value_string_utf8(env, v, s.data(), len + 1, &len);
  return s;
}

napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

/** A call's first N arguments (missing ones undefined) and, when the first is one, its mapper. */
template <size_t N>
struct Args {
  napi_value v[N];
  FastMapper* mapper = nullptr;
  bool ok;
  Args(napi_env env, napi_callback_info info) {
    size_t argc = N;
    ok = napi_get_cb_info(env, info, &argc, v, nullptr, nullptr) == napi_ok;
    void* data = nullptr;
    if (ok && napi_get_value_external(env, v[0], &data) == napi_ok) mapper = static_cast<FastMapper*>(data);
  }
};

napi_value property(napi_env env, napi_value obj, const char* name) {
  napi_value v = nullptr;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return nullptr;
  return v;
}

/** A property that is an array of strings (missing or of another type: empty, and `ok` false). */
std::vector<std::string> strings(napi_env env, napi_value obj, const char* name, bool& ok) {
  std::vector<std::string> out;
  napi_value arr = property(env, obj, name);
  bool is_array = false;
  uint32_t n = 0;
  if (arr == nullptr || napi_is_array(env, arr, &is_array) != napi_ok || !is_array || napi_get_array_length(env, arr, &n) != napi_ok) {
    ok = false;
    return out;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    napi_valuetype t;
    if (napi_get_element(env, arr, i, &item) != napi_ok || napi_typeof(env, item, &t) != napi_ok || t != napi_string) ok = false;
    else out.push_back(string_arg(env, item));
  }
  return out;
}

const char* const kMeterRoles[aflo::kMeters] = {"textTokens", "reasoningTokens", "audioTokens", "imageTokens",
                                                "citationTokens", "requests", "seconds"};
const char* const kDimNames[aflo::kDims] = {"business_unit_id", "usecase", "provider", "platform", "model", "sku",
                                            "user", "keyName", "hostedEnv", "region", "batch", "tier"};

/** Fills `o` from the options object; an error names what this build does not know (then no mapper is made). */
std::string read_options(napi_env env, napi_value v, aflo::MapOptions& o) {
  bool ok = true;
  o.customer = string_arg(env, property(env, v, "customer"));
  o.hosted_env = string_arg(env, property(env, v, "hostedEnv"));
  o.type_key = string_arg(env, property(env, v, "typeKey"));
  o.cache_key = string_arg(env, property(env, v, "cacheKey"));
  o.error_key = string_arg(env, property(env, v, "errorKey"));
  napi_value meters = property(env, v, "meters");
  for (int m = 0; m < aflo::kMeters; m++) {
    o.meters[m] = meters ? string_arg(env, property(env, meters, kMeterRoles[m])) : std::string();
    if (o.meters[m].empty()) return std::string("no name for the meter ") + kMeterRoles[m];
  }
  for (const std::string& name : strings(env, v, "dimensions", ok)) {
    int d = 0;
    while (d < aflo::kDims && name != kDimNames[d]) d++;
    if (d == aflo::kDims) return "a dimension this build does not work out: " + name;
    o.dims.push_back(static_cast<aflo::Dim>(d));
    o.dim_names[d] = name;
  }
  o.tiers = strings(env, v, "tiers", ok);
  o.batch_calls = strings(env, v, "batchCalls", ok);
  o.speech_calls = strings(env, v, "speechCalls", ok);
  o.image_call_parts = strings(env, v, "imageCallParts", ok);
  napi_value declined = property(env, v, "declined");
  uint32_t n = 0;
  if (declined == nullptr || napi_get_array_length(env, declined, &n) != napi_ok) ok = false;
  for (uint32_t i = 0; i < n; i++) {
    napi_value group;
    if (napi_get_element(env, declined, i, &group) != napi_ok) ok = false;
    else o.declined.emplace_back(strings(env, group, "parent", ok), strings(env, group, "keys", ok));
  }
  if (!ok || o.type_key.empty() || o.cache_key.empty() || o.error_key.empty()) return "incomplete options";
  return {};
}

/** create(options) → a mapper; throws naming what this build cannot do. */
napi_value Create(napi_env env, napi_callback_info info) {
  Args<1> a(env, info);
  if (!a.ok) return nullptr;
  auto* m = new FastMapper();
  std::string error = read_options(env, a.v[0], m->opts);
  if (!error.empty()) {
    delete m;
    napi_throw_error(env, nullptr, error.c_str());
    return nullptr;
  }
  napi_value out;
  CHECK(napi_create_external(env, m, [](napi_env, void* data, void*) { delete static_cast<FastMapper*>(data); }, nullptr, &out));
  return out;
}

/** learnRegion(mapper, apiBase, kind: protocol.regionNone / regionValue / regionBail, json). */
napi_value LearnRegion(napi_env env, napi_callback_info info) {
  Args<4> a(env, info);
  int32_t kind = 0;
  if (a.mapper == nullptr || napi_get_value_int32(env, a.v[2], &kind) != napi_ok || kind < aflo::Region::None || kind > aflo::Region::Bail) return nullptr;
  FastMapper* m = a.mapper;
  if (m->opts.regions.size() >= kRegionLimit) m->opts.regions.clear();
  m->opts.regions[string_arg(env, a.v[1])] =
      aflo::Region{static_cast<aflo::Region::Kind>(kind), kind == 1 ? string_arg(env, a.v[3]) : std::string()};
  return nullptr;
}

/** pendingRegion(mapper): the api_base text the last mapLine returned -2 for. */
napi_value PendingRegion(napi_env env, napi_callback_info info) {
  Args<1> a(env, info);
  if (a.mapper == nullptr) return nullptr;
  const std::string& s = a.mapper->mapped.pending_region;
  napi_value out;
  CHECK(napi_create_string_utf8(env, s.data(), s.size(), &out));
  return out;
}

/**
 * mapLine(mapper, src, from, to, out, outPos, fallbackMs, ends): maps the line src[from..to) into out at outPos;
 * answers as `protocol` says, ends[i] just past record i in out.
 */
napi_value MapLine(napi_env env, napi_callback_info info) {
  Args<8> a(env, info);
  if (a.mapper == nullptr) return number(env, kBail);
  FastMapper* m = a.mapper;
  napi_value* args = a.v;
  char* src;
  size_t src_len;
  CHECK(napi_get_buffer_info(env, args[1], reinterpret_cast<void**>(&src), &src_len));
  int64_t from, to, out_pos;
  double fallback_ms;
  CHECK(napi_get_value_int64(env, args[2], &from));
  CHECK(napi_get_value_int64(env, args[3], &to));
  char* out;
  size_t out_len;
  CHECK(napi_get_buffer_info(env, args[4], reinterpret_cast<void**>(&out), &out_len));
  CHECK(napi_get_value_int64(env, args[5], &out_pos));
  CHECK(napi_get_value_double(env, args[6], &fallback_ms));
  napi_typedarray_type type;
  size_t ends_len;
  void* ends_data;
  CHECK(napi_get_typedarray_info(env, args[7], &type, &ends_len, &ends_data, nullptr, nullptr));
  auto* ends = static_cast<uint32_t*>(ends_data);
  if (from < 0 || to > static_cast<int64_t>(src_len) || from > to || type != napi_uint32_array || ends_len == 0) {
    return number(env, kBail);
  }
  // What the last line took beyond the usual is given back before this one is read.
  m->doc.shrink();
  if (m->mapped.out.capacity() > kKeepOutBytes) std::string().swap(m->mapped.out);
  if (to > from && src[to - 1] == '\r') to--;
  const char* line = src + from;
  size_t len = static_cast<size_t>(to - from);
  Outcome r;
  try {
    if (len == 0 || line[0] != '{' || !m->doc.parse(line, len, src_len - static_cast<size_t>(to))) return number(env, kBail);
    r = aflo::map_entry(m->doc, m->opts, fallback_ms, m->mapped);
  } catch (const std::bad_alloc&) {
    // Out of memory (a container's limit): what was taken is given back and the JavaScript path reads the line.
    m->doc.shrink();
    std::string().swap(m->mapped.out);
    return number(env, kBail);
  }
  if (r == Outcome::Bail) return number(env, kBail);
  if (r == Outcome::NeedRegion) return number(env, kNeedRegion);
  const aflo::Mapped& got = m->mapped;
  if (got.ends.size() > ends_len) return number(env, kBail);
  if (out_pos < 0 || static_cast<size_t>(out_pos) > out_len || got.out.size() > out_len - static_cast<size_t>(out_pos)) {
    ends[0] = static_cast<uint32_t>(got.out.size());
    return number(env, kNoRoom);
  }
  std::memcpy(out + out_pos, got.out.data(), got.out.size());
  for (size_t i = 0; i < got.ends.size(); i++) ends[i] = static_cast<uint32_t>(out_pos) + got.ends[i];
  int flags = (got.inconsistent ? kInconsistent : 0) | (got.time_missing ? kTimeMissing : 0);
  return number(env, static_cast<double>(got.ends.size() | (flags << kFlagShift)));
}

/**
 * ledgerTags(data, ends, dims, keyOut, valueOut): the ledger key of every record of a slab (ends: Uint32Array, one
 * per record); returns the distinct keys, `keyOut[r]` indexing them (or -2: JavaScript reads that record).
 */
napi_value LedgerTags(napi_env env, napi_callback_info info) {
  Args<5> a(env, info);
  if (!a.ok) return nullptr;
  void* data = nullptr;
  size_t data_len = 0;
  CHECK(napi_get_buffer_info(env, a.v[0], &data, &data_len));
  napi_typedarray_type type;
  size_t count = 0, key_len = 0, value_len = 0;
  void *ends = nullptr, *keys = nullptr, *values = nullptr;
  CHECK(napi_get_typedarray_info(env, a.v[1], &type, &count, &ends, nullptr, nullptr));
  if (type != napi_uint32_array) return nullptr;
  CHECK(napi_get_typedarray_info(env, a.v[3], &type, &key_len, &keys, nullptr, nullptr));
  if (type != napi_int32_array || key_len < count) return nullptr;
  CHECK(napi_get_typedarray_info(env, a.v[4], &type, &value_len, &values, nullptr, nullptr));
  if (type != napi_float64_array || value_len < count) return nullptr;
  const uint32_t* e = static_cast<const uint32_t*>(ends);
  if (count > 0 && e[count - 1] > data_len) return nullptr;
  bool ok = true;
  napi_value holder;
  CHECK(napi_create_object(env, &holder));
  CHECK(napi_set_named_property(env, holder, "dims", a.v[2]));
  std::vector<std::string> dims = strings(env, holder, "dims", ok);
  if (!ok) return nullptr;
  std::vector<std::string> found = aflo::ledger_tags(static_cast<const char*>(data), e, count, dims, static_cast<int32_t*>(keys),
                                                     static_cast<double*>(values));
  napi_value out;
  CHECK(napi_create_array_with_length(env, found.size(), &out));
  for (size_t k = 0; k < found.size(); k++) {
    napi_value s;
    CHECK(napi_create_string_utf8(env, found[k].data(), found[k].size(), &s));
    CHECK(napi_set_element(env, out, static_cast<uint32_t>(k), s));
  }
  return out;
}

/**
 * gzip(data, level[, out, at]): `data` gzipped as zlib.gzipSync(data, { level }) writes it (gzip_body.cc). Without
 * `out`, a new Buffer; with it, written into `out` at `at` and the length returned (-1: it did not fit; the caller
 * makes room for gzipBound bytes). undefined if zlib refused.
 */
napi_value Gzip(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value v[4];
  CHECK(napi_get_cb_info(env, info, &argc, v, nullptr, nullptr));
  if (argc < 2) return nullptr;
  napi_typedarray_type type;
  void* data = nullptr;
  size_t len = 0;
  CHECK(napi_get_typedarray_info(env, v[0], &type, &len, &data, nullptr, nullptr));
  if (type != napi_uint8_array || len > 0xFFFFFFFFu) return nullptr;
  int32_t level = 0;
  CHECK(napi_get_value_int32(env, v[1], &level));
  if (level < 0 || level > 9) return nullptr;
  const uint8_t* in = static_cast<const uint8_t*>(data);
  if (argc >= 4) {
    void* out = nullptr;
    size_t room = 0;
    CHECK(napi_get_typedarray_info(env, v[2], &type, &room, &out, nullptr, nullptr));
    int64_t at = 0;
    CHECK(napi_get_value_int64(env, v[3], &at));
    if (type != napi_uint8_array || at < 0 || static_cast<size_t>(at) > room) return nullptr;
    const size_t n = aflo::gzip_body_into(in, len, level, static_cast<uint8_t*>(out) + at, room - at);
    return number(env, n == 0 ? -1 : static_cast<double>(n));
  }
  // Memory for one body, kept for the next unless a very large one needed more.
  thread_local std::unique_ptr<uint8_t[]> kept;
  thread_local size_t kept_size = 0;
  const size_t bound = aflo::gzip_bound(len);
  std::unique_ptr<uint8_t[]> once;
  uint8_t* out = nullptr;
  if (bound <= kept_size) out = kept.get();
  else if (bound <= kKeepOutBytes) {
    kept.reset(new (std::nothrow) uint8_t[bound]);
    kept_size = kept ? bound : 0;
    out = kept.get();
  } else {
    once.reset(new (std::nothrow) uint8_t[bound]);
    out = once.get();
  }
  if (out == nullptr) return nullptr;
  const size_t n = aflo::gzip_body_into(in, len, level, out, bound);
  if (n == 0) return nullptr;
  napi_value result;
  CHECK(napi_create_buffer_copy(env, n, out, nullptr, &result));
  return result;
}

/** The call's one argument, a whole number from 0 to `max`; false (the call answers undefined) otherwise. */
bool size_arg(napi_env env, napi_callback_info info, int64_t max, int64_t& out) {
  size_t argc = 1;
  napi_value v[1];
  if (napi_get_cb_info(env, info, &argc, v, nullptr, nullptr) != napi_ok || argc < 1) return false;
  return napi_get_value_int64(env, v[0], &out) == napi_ok && out >= 0 && out <= max;
}

napi_value GzipBound(napi_env env, napi_callback_info info) {
  int64_t len = 0;
  if (!size_arg(env, info, INT64_MAX, len)) return nullptr;
  return number(env, static_cast<double>(aflo::gzip_bound(static_cast<size_t>(len))));
}

/** glibc's mallopt(M_MMAP_THRESHOLD, bytes): false where it does not apply (another C library) or was refused. */
napi_value FixMmapThreshold(napi_env env, napi_callback_info info) {
  int64_t bytes = 0;
  if (!size_arg(env, info, INT32_MAX, bytes)) return nullptr;
  bool done = false;
#if defined(__GLIBC__)
  done = mallopt(M_MMAP_THRESHOLD, static_cast<int>(bytes)) == 1;
#endif
  napi_value result;
  CHECK(napi_get_boolean(env, done, &result));
  return result;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"create", nullptr, Create, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"learnRegion", nullptr, LearnRegion, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"pendingRegion", nullptr, PendingRegion, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"mapLine", nullptr, MapLine, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"ledgerTags", nullptr, LedgerTags, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gzip", nullptr, Gzip, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gzipBound", nullptr, GzipBound, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"fixMmapThreshold", nullptr, FixMmapThreshold, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_value protocol;
  napi_create_object(env, &protocol);
  const std::pair<const char*, double> values[] = {
      {"bail", kBail}, {"needRegion", kNeedRegion}, {"noRoom", kNoRoom}, {"flagShift", kFlagShift},
      {"inconsistent", kInconsistent}, {"timeMissing", kTimeMissing}, {"regionNone", aflo::Region::None},
      {"regionValue", aflo::Region::Value}, {"regionBail", aflo::Region::Bail}, {"ledgerLeftToJs", aflo::kLeftToJs}};
  for (const auto& [name, v] : values) napi_set_named_property(env, protocol, name, number(env, v));
  napi_set_named_property(env, exports, "protocol", protocol);
  return exports;
}
