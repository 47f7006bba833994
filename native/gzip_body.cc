// gzip of batch bodies: a thread's deflate state is made once and reset for each body, instead of being made and
// freed per body as zlib.gzipSync does (about 25 µs a body, and the memory churn of a state of ~270 KB each time).
#include "gzip_body.h"

#include <zlib.h>

namespace aflo {
namespace {

constexpr int kWindowBits = 15 + 16;  // 15 as Node's default, +16: a gzip wrapper
constexpr int kMemLevel = 8;          // Node's default

struct Deflater {
  z_stream strm{};
  int level = -2;  // none made yet
  ~Deflater() {
    if (level != -2) deflateEnd(&strm);
  }
  bool ready(int want) {
    if (level == want) return deflateReset(&strm) == Z_OK;
    if (level != -2) deflateEnd(&strm);
    level = -2;
    strm = z_stream{};
    if (deflateInit2(&strm, want, Z_DEFLATED, kWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) return false;
    level = want;
    return true;
  }
};

thread_local Deflater deflater;

}  // namespace

bool gzip_body(const uint8_t* in, size_t len, int level, std::vector<uint8_t>& out) {
  if (!deflater.ready(level)) return false;
  z_stream& s = deflater.strm;
  out.resize(deflateBound(&s, static_cast<uLong>(len)));
  s.next_in = const_cast<Bytef*>(in);
  s.avail_in = static_cast<uInt>(len);
  s.next_out = out.data();
  s.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&s, Z_FINISH);
  if (rc != Z_STREAM_END) return false;
  out.resize(out.size() - s.avail_out);
  return true;
}

}  // namespace aflo
