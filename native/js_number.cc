// ECMAScript Number::toString(10) over the shortest round-trip digits std::to_chars finds.
#include "js_number.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace aflo {

void append_js_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (v == 0) {  // 0 and -0 alike
    out += '0';
    return;
  }
  if (v < 0) {
    out += '-';
    v = -v;
  }
  if (std::isinf(v)) {  // a sum of counts past the largest double
    out += "Infinity";
    return;
  }
  if (v < 9007199254740992.0 && v == std::floor(v)) {  // integers: their digits
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<unsigned long long>(v));
    out.append(buf, r.ptr);
    return;
  }
  // d.ddddde±x: the shortest digits that read back as v, and the exponent.
  char sci[40];
  auto r = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
  const char* e = sci;
  while (e < r.ptr && *e != 'e') e++;
  std::string digits;
  for (const char* p = sci; p < e; p++)
    if (*p != '.') digits += *p;
  int k = static_cast<int>(digits.size());
  int n = std::atoi(std::string(e + 1, static_cast<size_t>(r.ptr - e - 1)).c_str()) + 1;  // v = 0.digits × 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<size_t>(n));
    out += '.';
    out.append(digits, static_cast<size_t>(n), std::string::npos);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
}

}  // namespace aflo
