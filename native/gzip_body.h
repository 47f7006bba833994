// gzip of batch bodies with one deflate state per thread, reset between bodies (zlib's, as Node links it).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace aflo {

/**
 * `in` gzipped at `level` into `out` (resized to the output), with the parameters `zlib.gzipSync` uses (window 15,
 * memory level 8, default strategy), in one call: the same bytes. False if zlib refuses (out of memory).
 */
bool gzip_body(const uint8_t* in, size_t len, int level, std::vector<uint8_t>& out);

}  // namespace aflo
