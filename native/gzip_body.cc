// gzip of batch bodies: a thread's deflate state is made once and reset for each body, instead of being made and
// freed per body as zlib.gzipSync does (a state of ~270 KB each time: 6-8 MB of peak RSS in a decode thread).
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

size_t gzip_body_into(const uint8_t* in, size_t len, int level, uint8_t* out, size_t room) {
  if (!deflater.ready(level)) return 0;
  z_stream& s = deflater.strm;
  s.next_in = const_cast<Bytef*>(in);
  s.avail_in = static_cast<uInt>(len);
  s.next_out = out;
  s.avail_out = static_cast<uInt>(room);
  // One call with the whole input and room for the whole output: the bytes zlib.gzipSync writes.
  if (deflate(&s, Z_FINISH) != Z_STREAM_END) return 0;
  return room - s.avail_out;
}

size_t gzip_bound(size_t len) {
  // deflateBound's answer for any level and memory level, plus the gzip header and trailer (18 bytes).
  return len + (len >> 12) + (len >> 14) + (len >> 25) + 13 - 6 + 18 + 64;
}

}  // namespace aflo
