// Node-API surface of the fast mapper: a mapper per thread, lines mapped straight into a RecordBuffer's bytes.
#include <node_api.h>

#include <cstring>
#include <new>
#include <string>

#include "json_index.h"
#include "slp_map.h"

namespace {

using aflo::Outcome;

struct FastMapper {
  aflo::MapOptions opts;
  aflo::JsonIndex doc;
  aflo::Mapped mapped;
};

constexpr size_t kRegionLimit = 1000;  // as the JavaScript region cache
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

/** create(customerText, hostedEnvJson) → a mapper. */
napi_value Create(napi_env env, napi_callback_info info) {
  Args<2> a(env, info);
  if (!a.ok) return nullptr;
  auto* m = new FastMapper();
  m->opts.customer = string_arg(env, a.v[0]);
  m->opts.hosted_env = string_arg(env, a.v[1]);
  napi_value out;
  CHECK(napi_create_external(env, m, [](napi_env, void* data, void*) { delete static_cast<FastMapper*>(data); }, nullptr, &out));
  return out;
}

/** learnRegion(mapper, apiBase, kind: 0 none | 1 value | 2 bail, json). */
napi_value LearnRegion(napi_env env, napi_callback_info info) {
  Args<4> a(env, info);
  int32_t kind = 0;
  if (a.mapper == nullptr || napi_get_value_int32(env, a.v[2], &kind) != napi_ok || kind < 0 || kind > 2) return nullptr;
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
 * mapLine(mapper, src, from, to, out, outPos, fallbackMs, ends): maps the line src[from..to) into out at outPos.
 * ≥ 0: records | flags << 8 (1 inconsistent, 2 time missing), ends[i] just past record i in out; -1: the
 * JavaScript path must read it; -2: learnRegion(pendingRegion()) first; -3: out needs ends[0] bytes free.
 */
napi_value MapLine(napi_env env, napi_callback_info info) {
  Args<8> a(env, info);
  if (a.mapper == nullptr) return number(env, -1);
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
    return number(env, -1);
  }
  // What the last line took beyond the usual is given back before this one is read.
  m->doc.shrink();
  if (m->mapped.out.capacity() > kKeepOutBytes) std::string().swap(m->mapped.out);
  if (to > from && src[to - 1] == '\r') to--;
  const char* line = src + from;
  size_t len = static_cast<size_t>(to - from);
  Outcome r;
  try {
    if (len == 0 || line[0] != '{' || !m->doc.parse(line, len)) return number(env, -1);
    r = aflo::map_entry(m->doc, m->opts, fallback_ms, m->mapped);
  } catch (const std::bad_alloc&) {
    // Out of memory (a container's limit): what was taken is given back and the JavaScript path reads the line.
    m->doc.shrink();
    std::string().swap(m->mapped.out);
    return number(env, -1);
  }
  if (r == Outcome::Bail) return number(env, -1);
  if (r == Outcome::NeedRegion) return number(env, -2);
  const aflo::Mapped& got = m->mapped;
  if (got.ends.size() > ends_len) return number(env, -1);
  if (out_pos < 0 || static_cast<size_t>(out_pos) > out_len || got.out.size() > out_len - static_cast<size_t>(out_pos)) {
    ends[0] = static_cast<uint32_t>(got.out.size());
    return number(env, -3);
  }
  std::memcpy(out + out_pos, got.out.data(), got.out.size());
  for (size_t i = 0; i < got.ends.size(); i++) ends[i] = static_cast<uint32_t>(out_pos) + got.ends[i];
  int flags = (got.inconsistent ? 1 : 0) | (got.time_missing ? 2 : 0);
  return number(env, static_cast<double>(got.ends.size() | (flags << 8)));
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"create", nullptr, Create, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"learnRegion", nullptr, LearnRegion, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"pendingRegion", nullptr, PendingRegion, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"mapLine", nullptr, MapLine, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
