// Numbers as JavaScript's String(n) writes them (ECMAScript Number::toString), for byte-identical records.
#pragma once
#include <string>

namespace aflo {

/** Appends the text String(v) gives (shortest round-trip digits, JS's fixed/exponent rules; Infinity, NaN). */
void append_js_number(std::string& out, double v);

}  // namespace aflo
