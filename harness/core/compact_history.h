// A history in compact form, for checkers: the ops in one flat array, every value a tree of nodes in
// one arena, every string interned once. Built once (by a reader, or from a History), then shared
// read-only by every checker of a run. Equal strings have equal ids, so a checker compares op fields
// and scalar values as integers and never touches JSON on its hot path; JSON stays at the edges
// (json() and op() for explanations and results).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "harness/core/history.h"
#include "harness/core/json.h"
#include "harness/core/op.h"

namespace faultline {

// A node of the value arena; a value is the node with that id and, for containers, its children.
// An element of a packed array (see ValueNode) is no node: its id has kPackedInt set and names
// its slot in the integer arena.
using ValueId = uint32_t;
// An interned string.
using StringId = uint32_t;
inline constexpr ValueId kNoValue = std::numeric_limits<uint32_t>::max();
inline constexpr StringId kNoString = std::numeric_limits<uint32_t>::max();
inline constexpr ValueId kPackedInt = ValueId(1) << 31;

// Keywords and symbols of EDN are strings here, as in json.h; EDN sets and lists are arrays.
enum class ValueKind : uint8_t { kNull, kBool, kInt, kUint, kDouble, kString, kArray, kObject };

struct ValueNode {
  ValueKind kind = ValueKind::kNull;
  // kArray whose elements are all kInt (list reads of list-append, sets of ints): they sit in the
  // integer arena, 8 bytes each rather than a node of 16.
  bool packed = false;
  // kArray: the number of elements; kObject: the number of members.
  uint32_t size = 0;
  // kBool: 0/1; kInt: the value; kUint: the value above INT64_MAX (as bits); kDouble: the bits;
  // kString: the StringId; kArray: the id of the first element, the others follow it (packed: the
  // slot of the first in the integer arena); kObject: the id of the first key, keys (kString) and
  // values alternate after it.
  int64_t payload = 0;
};

struct CompactOp {
  int64_t index = -1;
  int64_t time = 0;
  int64_t process = 0;  // kNemesisProcess for the nemesis
  StringId f = kNoString;
  OpType type = OpType::kInvoke;
  ValueId value = kNoValue;   // a kNull node when the op has no value
  ValueId error = kNoValue;   // kNoValue when absent
  StringId node = kNoString;  // kNoString when absent

  bool is_invoke() const { return type == OpType::kInvoke; }
  bool is_ok() const { return type == OpType::kOk; }
  bool is_fail() const { return type == OpType::kFail; }
  bool is_info() const { return type == OpType::kInfo; }
  bool is_nemesis() const { return process == kNemesisProcess; }
  bool is_client() const { return process != kNemesisProcess; }
};

class CompactHistory {
 public:
  std::span<const CompactOp> ops() const { return ops_; }
  size_t size() const { return ops_.size(); }
  const CompactOp& operator[](size_t i) const { return ops_[i]; }

  // Strings.
  std::string_view str(StringId id) const { return strings_[id]; }
  // The id of `text`, or kNoString when no op of the history holds it.
  StringId find(std::string_view text) const;
  size_t string_count() const { return strings_.size(); }
  size_t value_count() const { return values_.size(); }
  size_t packed_int_count() const { return ints_.size(); }

  // Values.
  ValueNode node(ValueId id) const {
    return id & kPackedInt ? ValueNode{ValueKind::kInt, false, 0, ints_[id & ~kPackedInt]} : values_[id];
  }
  ValueKind kind(ValueId id) const { return id & kPackedInt ? ValueKind::kInt : values_[id].kind; }
  bool is_null(ValueId id) const { return id == kNoValue || kind(id) == ValueKind::kNull; }
  bool is_int(ValueId id) const { return id != kNoValue && kind(id) == ValueKind::kInt; }
  int64_t as_int(ValueId id) const { return node(id).payload; }
  bool is_string(ValueId id) const { return id != kNoValue && kind(id) == ValueKind::kString; }
  StringId as_string(ValueId id) const { return StringId(values_[id].payload); }
  bool is_array(ValueId id) const { return id != kNoValue && kind(id) == ValueKind::kArray; }
  // The elements of an array (empty for any other kind).
  size_t count(ValueId id) const { return is_array(id) ? values_[id].size : 0; }
  ValueId element(ValueId id, size_t i) const {
    const ValueNode& n = values_[id];
    return ValueId(n.payload + int64_t(i)) | (n.packed ? kPackedInt : 0);
  }
  // Object members: key i at member_key(id, i), its value at member_value(id, i).
  ValueId member_key(ValueId id, size_t i) const { return ValueId(values_[id].payload + int64_t(2 * i)); }
  ValueId member_value(ValueId id, size_t i) const { return ValueId(values_[id].payload + int64_t(2 * i + 1)); }

  // Structural equality and a hash that agrees with it (for checkers that intern whole values).
  bool equal(ValueId a, ValueId b) const;
  uint64_t hash(ValueId id) const;

  // The edges: a value as JSON, an op as the reader of a History would give it, the whole history.
  Json json(ValueId id) const;
  Op op(size_t i) const;
  History history() const;

  // Bytes held, for benchmarks.
  size_t bytes() const;

 private:
  friend class CompactHistoryBuilder;
  std::vector<CompactOp> ops_;
  std::vector<ValueNode> values_;
  std::vector<int64_t> ints_;  // the elements of packed arrays
  // Characters live in chunks that never move, so the views into them stay valid.
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_left_ = 0;
  std::vector<std::string_view> strings_;
  std::unordered_map<std::string_view, StringId> string_ids_;
};

// Builds a compact history op by op. A value is given depth first: scalars, and containers between
// begin_*() and end(); inside an object, key() before each member's value. Then take the root with
// value(). Children of a container end up next to each other in the arena.
class CompactHistoryBuilder {
 public:
  CompactHistoryBuilder() { finish(); }
  // Goes on building `start` (e.g. the first piece of a file read in pieces).
  explicit CompactHistoryBuilder(CompactHistory&& start) : h_(std::move(start)) {}
  StringId intern(std::string_view text);

  void null();
  void boolean(bool b);
  void integer(int64_t i);
  void unsigned_integer(uint64_t u);
  void real(double d);
  void string(std::string_view text);
  void begin_array();
  // An object's members end up ordered by key, the last of equal keys kept (as JSON objects are).
  void begin_object();
  void key(std::string_view text) { string(text); }
  void end();
  // The value given since the last call (exactly one top-level value). All nulls share one node.
  ValueId value();
  // A whole JSON value at once.
  ValueId json(const Json& j);
  // The node every null value shares.
  ValueId null_value() const { return 0; }
  // A value made so far, as JSON (for the rare edges that need its text).
  Json to_json(ValueId id) const { return h_.json(id); }

  // Undoing: a reader that meets a line it must read another way forgets what it made of it.
  struct Mark {
    size_t values = 0;
    size_t ints = 0;
    size_t strings = 0;
  };
  Mark mark() const { return {h_.values_.size(), h_.ints_.size(), h_.strings_.size()}; }
  // Forgets the values made since `m` and any value begun; with `strings`, also the strings
  // interned since (a value the reader made only to look at keeps them when false: cheaper).
  void rollback(const Mark& m, bool strings = true);
  void reserve(size_t ops, size_t values, size_t ints = 0);
  // Reserves for a whole input of `total` bytes from what the first `done` bytes of it made.
  void reserve_for(size_t done, size_t total);

  // Appends the ops of `piece` (built apart, e.g. by another thread over another part of a file),
  // re-interning its strings and moving its values; op indices are shifted by size() (so a
  // piece numbered by position stays numbered by position).
  void append(const CompactHistory& piece);

  // Appends an op; an index < 0 means its position.
  void add(CompactOp op);
  size_t size() const { return h_.ops_.size(); }
  size_t value_count() const { return h_.values_.size(); }
  size_t packed_int_count() const { return h_.ints_.size(); }
  CompactOp& back() { return h_.ops_.back(); }
  ValueNode node(ValueId id) const { return h_.node(id); }
  std::string_view str(StringId id) const { return h_.str(id); }

  CompactHistory finish();

 private:
  void push(ValueNode n);
  void order_members(size_t start);
  void add_json(const Json& j);

  CompactHistory h_;
  // Nodes of the containers still open, and where each open container's children start in it.
  std::vector<ValueNode> pending_;
  std::vector<size_t> open_;
  std::vector<uint8_t> open_is_object_;
  // Scratch of end() for objects whose keys are not in order.
  std::vector<uint32_t> order_;
  std::vector<ValueNode> sorted_;
};

// For each op, the index of its partner (invocation <-> completion), or -1; see history.h.
inline std::vector<int64_t> pair_index(const CompactHistory& history) { return pair_positions(history.ops()); }

// The compact form of a History (the slow way in: every op through JSON).
CompactHistory compact(const History& history);

// validate() of history.h on the compact form (same rules, same messages).
void validate(const CompactHistory& history, const std::string& source);

}  // namespace faultline
