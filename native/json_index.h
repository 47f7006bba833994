// One log line parsed (by simdjson) into a flat node index: what the fast mapper looks fields up in.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace simdjson::dom {
class parser;
class element;
}  // namespace simdjson::dom

namespace aflo {

enum class Type : uint8_t { Object, Array, String, Number, True, False, Null };

struct Node {
  Type type;
  /**
   * A string that JSON.stringify writes as its bytes (printable ASCII, no quote or backslash): any other is never
   * read here, so that what is written is what the JavaScript mapper writes.
   */
  bool plain;
  uint32_t key_len;           // the key (object members only), unescaped
  uint32_t key_tag;           // tag(key): most members are passed over on it alone
  const char* key_ptr;
  const char* str;            // a string's text, unescaped
  uint32_t len;
  int32_t first;              // first child (objects, arrays), -1 when empty
  int32_t next;               // next sibling, -1 at the end
  uint32_t count;             // children (objects, arrays)
  mutable int32_t table;      // an object's member table in tables_, built on its first lookup (-1: not yet)
  double num;                 // a number's value
};

/** Nodes of one parsed line; node 0 is the root. Reused from line to line. */
class JsonIndex {
 public:
  JsonIndex();
  ~JsonIndex();

  /**
   * Parses `data[0..len)`: exactly one JSON value and optional whitespace. False when the text is not JSON as
   * JSON.parse reads it, or is JSON this index does not take (longer than 1 MB, nesting deeper than 64, more than
   * 2^18 values, a number out of double range, invalid UTF-8): the caller then leaves the line to the full reader.
   * `readable_after`: bytes after the line that may be read (not changed): with enough, the line is not copied.
   */
  bool parse(const char* data, size_t len, size_t readable_after = 0);

  /** Gives back the memory a large line made the index take. */
  void shrink();

  const Node& node(int32_t i) const { return nodes_[i]; }
  std::string_view text(const Node& n) const { return std::string_view(n.str, n.len); }
  std::string_view key(const Node& n) const { return std::string_view(n.key_ptr, n.key_len); }

  /** The key's length and its first and last bytes. */
  static uint32_t tag(const char* key, size_t len) {
    if (len == 0) return 0;
    return (static_cast<uint32_t>(len) & 0xffff) | static_cast<uint32_t>(static_cast<unsigned char>(key[0])) << 16 |
           static_cast<uint32_t>(static_cast<unsigned char>(key[len - 1])) << 24;
  }

  /** The member named `name` of object node `obj` (the last one, as JSON.parse keeps), or -1. */
  int32_t get(int32_t obj, std::string_view name) const {
    if (obj < 0 || nodes_[obj].type != Type::Object) return -1;
    uint32_t t = tag(name.data(), name.size());
    const Node& o = nodes_[obj];
    if (o.count > kLinearMembers) return find(obj, t, name);
    int32_t found = -1;
    for (int32_t c = o.first; c >= 0; c = nodes_[c].next)
      if (nodes_[c].key_tag == t && same_key(nodes_[c], name)) found = c;
    return found;
  }

 private:
  /** Objects with more members than this are looked up in through a hash table of their members. */
  static constexpr uint32_t kLinearMembers = 8;
  static constexpr size_t kKeepNodes = 1 << 14;

  bool same_key(const Node& n, std::string_view name) const {
    return n.key_len == name.size() && std::memcmp(n.key_ptr, name.data(), name.size()) == 0;
  }
  static uint32_t slot(uint32_t tag, uint32_t mask) { return (tag * 2654435761u) >> 7 & mask; }
  static uint32_t table_size(uint32_t count) {
    uint32_t size = 16;
    while (size < 2 * count) size *= 2;
    return size;
  }
  int32_t find(int32_t obj, uint32_t tag, std::string_view name) const;
  /** Adds the node for `value` and, for objects and arrays, its children; false past the limits. */
  bool add(const simdjson::dom::element& value);
  /** Makes `child` the next child of `parent` after `last` (which becomes it). */
  void link(int32_t parent, int32_t& last, int32_t child);

  std::unique_ptr<simdjson::dom::parser> parser_;
  std::vector<Node> nodes_;
  /** Member tables of looked-up objects: open addressing, node index or -1, a later duplicate key replacing. */
  mutable std::vector<int32_t> tables_;
};

}  // namespace aflo
