// gzip of batch bodies with one deflate state per thread, reset between bodies (zlib's, as Node links it).
#pragma once
#include <cstddef>
#include <cstdint>

namespace aflo {

/**
 * `in` gzipped at `level` into `out` (`room` bytes), with the parameters `zlib.gzipSync` uses (window 15, memory
 * level 8, default strategy), in one call with room for all of it: the same bytes. The output's length, or 0 if it
 * did not fit or zlib refused.
 */
size_t gzip_body_into(const uint8_t* in, size_t len, int level, uint8_t* out, size_t room);

/** Room that always holds `len` bytes gzipped (zlib's deflateBound, at its most, and the gzip wrapper). */
size_t gzip_bound(size_t len);

}  // namespace aflo
