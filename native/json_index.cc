// The flat node index of json_index.h, built from simdjson's DOM (a validating, fuzzed parser): JSON.parse's grammar,
// its values (numbers as doubles, strings unescaped) and its rule for duplicate keys (the last wins, in get()).
#include "json_index.h"

#include "simdjson.h"

namespace aflo {

namespace dom = simdjson::dom;

static constexpr size_t kMaxDepth = 64;
/** Lines longer than this are left to the JavaScript reader: simdjson's buffers grow with the line (~10 bytes a byte). */
static constexpr size_t kMaxLine = 1 << 20;
/** Values in one line the index takes at most (48 bytes each: about 12 MB). */
static constexpr size_t kMaxNodes = 1 << 18;
/** The parser's buffers are kept for lines up to this size (a larger one's are given back by shrink()). */
static constexpr size_t kKeepCapacity = 64 << 10;

JsonIndex::JsonIndex() : parser_(std::make_unique<dom::parser>(kMaxLine)) {}
JsonIndex::~JsonIndex() = default;

/** Bytes JSON.stringify writes as they are: printable ASCII other than quote and backslash. */
static bool plain_text(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
  return true;
}

bool JsonIndex::parse(const char* data, size_t len, size_t readable_after) {
  nodes_.clear();
  tables_.clear();
  if (len > kMaxLine) return false;
  if (parser_->capacity() == 0 && parser_->allocate(kKeepCapacity, kMaxDepth) != simdjson::SUCCESS) return false;
  dom::element root;
  // simdjson reads up to SIMDJSON_PADDING bytes past the end (never writing them): the line is read where it is when
  // the bytes after it are the caller's, else from a copy in the parser's padded buffer.
  bool copy = readable_after < simdjson::SIMDJSON_PADDING;
  if (parser_->parse(data, len, copy).get(root) != simdjson::SUCCESS) return false;
  return add(root);
}

bool JsonIndex::add(const dom::element& value) {
  if (nodes_.size() >= kMaxNodes) return false;
  int32_t at = static_cast<int32_t>(nodes_.size());
  nodes_.push_back(Node{Type::Null, true, 0, 0, nullptr, nullptr, 0, -1, -1, 0, -1, 0});
  switch (value.type()) {
    case dom::element_type::OBJECT: {
      nodes_[at].type = Type::Object;
      int32_t last = -1;
      for (dom::key_value_pair member : dom::object(value)) {
        int32_t child = static_cast<int32_t>(nodes_.size());
        if (!add(member.value)) return false;
        Node& c = nodes_[child];
        c.key_ptr = member.key.data();
        c.key_len = static_cast<uint32_t>(member.key.size());
        c.key_tag = tag(member.key.data(), member.key.size());
        link(at, last, child);
      }
      return true;
    }
    case dom::element_type::ARRAY: {
      nodes_[at].type = Type::Array;
      int32_t last = -1;
      for (dom::element item : dom::array(value)) {
        int32_t child = static_cast<int32_t>(nodes_.size());
        if (!add(item)) return false;
        link(at, last, child);
      }
      return true;
    }
    case dom::element_type::STRING: {
      std::string_view s = value.get_string().value_unsafe();
      Node& n = nodes_[at];
      n.type = Type::String;
      n.str = s.data();
      n.len = static_cast<uint32_t>(s.size());
      n.plain = plain_text(s);
      return true;
    }
    // Integers are exact in simdjson; as a double they round as JSON.parse rounds the same digits.
    case dom::element_type::INT64:
      nodes_[at].type = Type::Number;
      nodes_[at].num = static_cast<double>(value.get_int64().value_unsafe());
      return true;
    case dom::element_type::UINT64:
      nodes_[at].type = Type::Number;
      nodes_[at].num = static_cast<double>(value.get_uint64().value_unsafe());
      return true;
    case dom::element_type::DOUBLE:
      nodes_[at].type = Type::Number;
      nodes_[at].num = value.get_double().value_unsafe();
      return true;
    case dom::element_type::BOOL:
      nodes_[at].type = value.get_bool().value_unsafe() ? Type::True : Type::False;
      return true;
    case dom::element_type::NULL_VALUE:
      return true;
  }
  return false;
}

void JsonIndex::link(int32_t parent, int32_t& last, int32_t child) {
  if (last < 0) nodes_[parent].first = child;
  else nodes_[last].next = child;
  last = child;
  nodes_[parent].count++;
}

void JsonIndex::shrink() {
  if (nodes_.capacity() > kKeepNodes) std::vector<Node>().swap(nodes_);
  if (tables_.capacity() > kKeepNodes) std::vector<int32_t>().swap(tables_);
  if (parser_->capacity() > kKeepCapacity) parser_ = std::make_unique<dom::parser>(kMaxLine);
}

int32_t JsonIndex::find(int32_t obj, uint32_t tag, std::string_view name) const {
  const Node& o = nodes_[obj];
  uint32_t mask = table_size(o.count) - 1;
  if (o.table < 0) {
    o.table = static_cast<int32_t>(tables_.size());
    tables_.resize(tables_.size() + mask + 1, -1);
    for (int32_t c = o.first; c >= 0; c = nodes_[c].next) {
      const Node& n = nodes_[c];
      std::string_view key(n.key_ptr, n.key_len);
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

}  // namespace aflo
