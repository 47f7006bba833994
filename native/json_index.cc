// The JSON grammar of RFC 8259 as JSON.parse applies it, building the flat node index of json_index.h.
#include "json_index.h"

#include <charconv>

namespace aflo {

static constexpr int kMaxDepth = 64;
/**
 * Values in one line the index takes at most (48 bytes each: about 12 MB). A larger line (a 30 MB array of numbers
 * would take ~900 MB here) is handed back to the JavaScript reader, whose own limit is AFLO_MAX_LINE_BYTES.
 */
static constexpr size_t kMaxNodes = 1 << 18;

static bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool JsonIndex::parse(const char* data, size_t len) {
  data_ = data;
  len_ = len;
  pos_ = 0;
  nodes_.clear();
  tables_.clear();
  space();
  if (value(0) < 0) return false;
  space();
  return pos_ == len_;
}

/** Bytes that end a run of plain string bytes: quote, backslash, control characters, DEL and non-ASCII. */
static const struct StringStops {
  bool stop[256];
  StringStops() {
    for (int c = 0; c < 256; c++) stop[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x7f;
  }
} kStops;

bool JsonIndex::string(uint32_t& off, uint32_t& len, bool& plain) {
  pos_++;  // the opening quote
  size_t start = pos_;
  plain = true;
  while (pos_ < len_) {
    while (pos_ < len_ && !kStops.stop[static_cast<unsigned char>(data_[pos_])]) pos_++;
    if (pos_ >= len_) break;
    unsigned char c = static_cast<unsigned char>(data_[pos_]);
    if (c == '"') {
      off = static_cast<uint32_t>(start);
      len = static_cast<uint32_t>(pos_ - start);
      pos_++;
      return true;
    }
    if (c < 0x20) return false;
    if (c == '\\') {
      plain = false;
      if (++pos_ >= len_) return false;
      char e = data_[pos_];
      if (e == 'u') {
        if (pos_ + 4 >= len_) return false;
        for (int k = 1; k <= 4; k++)
          if (!is_hex(data_[pos_ + k])) return false;
        pos_ += 4;
      } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
        return false;
      }
    } else if (c >= 0x7f) {
      plain = false;
    }
    pos_++;
  }
  return false;
}

int32_t JsonIndex::find(int32_t obj, uint32_t tag, std::string_view name) const {
  const Node& o = nodes_[obj];
  uint32_t mask = table_size(o.count) - 1;
  if (o.table < 0) {
    o.table = static_cast<int32_t>(tables_.size());
    tables_.resize(tables_.size() + mask + 1, -1);
    for (int32_t c = o.first; c >= 0; c = nodes_[c].next) {
      const Node& n = nodes_[c];
      std::string_view key(data_ + n.key_off, n.key_len);
      for (uint32_t h = slot(n.key_tag, mask);; h = (h + 1) & mask) {
        int32_t& at = tables_[o.table + h];
        if (at < 0 || (nodes_[at].key_tag == n.key_tag && same_key(nodes_[at], key))) {
          at = c;
          break;
        }
      }
    }
  }
  for (uint32_t h = slot(tag, mask);; h = (h + 1) & mask) {
    int32_t at = tables_[o.table + h];
    if (at < 0) return -1;
    if (nodes_[at].key_tag == tag && same_key(nodes_[at], name)) return at;
  }
}

bool JsonIndex::number(Node& n) {
  size_t start = pos_;
  if (pos_ < len_ && data_[pos_] == '-') pos_++;
  if (pos_ >= len_ || !is_digit(data_[pos_])) return false;
  if (data_[pos_] == '0') pos_++;
  else while (pos_ < len_ && is_digit(data_[pos_])) pos_++;
  if (pos_ < len_ && data_[pos_] == '.') {
    pos_++;
    if (pos_ >= len_ || !is_digit(data_[pos_])) return false;
    while (pos_ < len_ && is_digit(data_[pos_])) pos_++;
  }
  if (pos_ < len_ && (data_[pos_] == 'e' || data_[pos_] == 'E')) {
    pos_++;
    if (pos_ < len_ && (data_[pos_] == '+' || data_[pos_] == '-')) pos_++;
    if (pos_ >= len_ || !is_digit(data_[pos_])) return false;
    while (pos_ < len_ && is_digit(data_[pos_])) pos_++;
  }
  n.off = static_cast<uint32_t>(start);
  n.len = static_cast<uint32_t>(pos_ - start);
  // Out of double range (JSON.parse gives Infinity or 0): left to the full reader.
  auto r = std::from_chars(data_ + start, data_ + pos_, n.num);
  return r.ec == std::errc() && r.ptr == data_ + pos_;
}

bool JsonIndex::literal(const char* word, size_t n) {
  if (len_ - pos_ < n || std::memcmp(data_ + pos_, word, n) != 0) return false;
  pos_ += n;
  return true;
}

int32_t JsonIndex::value(int depth) {
  if (pos_ >= len_ || nodes_.size() >= kMaxNodes) return -1;
  int32_t at = static_cast<int32_t>(nodes_.size());
  nodes_.push_back(Node{Type::Null, true, 0, 0, 0, 0, 0, -1, -1, 0, -1, 0});
  char c = data_[pos_];
  if (c == '{' || c == '[') {
    if (depth >= kMaxDepth) return -1;
    bool object = c == '{';
    nodes_[at].type = object ? Type::Object : Type::Array;
    pos_++;
    space();
    if (pos_ < len_ && data_[pos_] == (object ? '}' : ']')) {
      pos_++;
      return at;
    }
    int32_t last = -1;
    uint32_t count = 0;
    for (;;) {
      uint32_t key_off = 0, key_len = 0;
      if (object) {
        bool plain_key;
        if (pos_ >= len_ || data_[pos_] != '"' || !string(key_off, key_len, plain_key)) return -1;
        // A key with an escape could name a field the mapper reads: the full reader decides.
        if (!plain_key && std::memchr(data_ + key_off, '\\', key_len) != nullptr) return -1;
        space();
        if (pos_ >= len_ || data_[pos_] != ':') return -1;
        pos_++;
        space();
      }
      int32_t child = value(depth + 1);
      if (child < 0) return -1;
      nodes_[child].key_off = key_off;
      nodes_[child].key_len = key_len;
      nodes_[child].key_tag = tag(data_ + key_off, key_len);
      if (last < 0) nodes_[at].first = child;
      else nodes_[last].next = child;
      last = child;
      count++;
      space();
      if (pos_ >= len_) return -1;
      char d = data_[pos_++];
      if (d == ',') {
        space();
        continue;
      }
      if (d != (object ? '}' : ']')) return -1;
      nodes_[at].count = count;
      return at;
    }
  }
  if (c == '"') {
    uint32_t off, len;
    bool plain;
    if (!string(off, len, plain)) return -1;
    Node& n = nodes_[at];
    n.type = Type::String;
    n.off = off;
    n.len = len;
    n.plain = plain;
    return at;
  }
  if (c == 't') return literal("true", 4) ? (nodes_[at].type = Type::True, at) : -1;
  if (c == 'f') return literal("false", 5) ? (nodes_[at].type = Type::False, at) : -1;
  if (c == 'n') return literal("null", 4) ? (nodes_[at].type = Type::Null, at) : -1;
  nodes_[at].type = Type::Number;
  return number(nodes_[at]) ? at : -1;
}

}  // namespace aflo
