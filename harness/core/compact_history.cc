#include "harness/core/compact_history.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>

#include "harness/core/error.h"

namespace faultline {
namespace {
constexpr size_t kChunk = size_t(1) << 16;
constexpr ValueId kSharedNull = 0;

uint64_t mix(uint64_t h, uint64_t x) {
  h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}
}  // namespace

StringId CompactHistory::find(std::string_view text) const {
  auto it = string_ids_.find(text);
  return it == string_ids_.end() ? kNoString : it->second;
}

bool CompactHistory::equal(ValueId a, ValueId b) const {
  if (a == b) return true;
  if (a == kNoValue || b == kNoValue) return is_null(a) && is_null(b);
  const ValueNode x = node(a);
  const ValueNode y = node(b);
  if (x.kind != y.kind || x.size != y.size) return false;
  switch (x.kind) {
    case ValueKind::kNull: return true;
    case ValueKind::kArray:
      if (x.packed && y.packed) return std::equal(&ints_[x.payload], &ints_[x.payload] + x.size, &ints_[y.payload]);
      for (size_t i = 0; i < x.size; ++i)
        if (!equal(element(a, i), element(b, i))) return false;
      return true;
    case ValueKind::kObject:
      for (size_t i = 0; i < 2 * size_t(x.size); ++i)
        if (!equal(ValueId(x.payload + int64_t(i)), ValueId(y.payload + int64_t(i)))) return false;
      return true;
    default: return x.payload == y.payload;
  }
}

uint64_t CompactHistory::hash(ValueId id) const {
  if (is_null(id)) return 0x51ed270b;
  const ValueNode n = node(id);
  uint64_t h = mix(uint64_t(n.kind), n.size);
  if (n.kind == ValueKind::kArray) {
    for (size_t i = 0; i < n.size; ++i) h = mix(h, hash(element(id, i)));
    return h;
  }
  if (n.kind == ValueKind::kObject) {
    for (size_t i = 0; i < 2 * size_t(n.size); ++i) h = mix(h, hash(ValueId(n.payload + int64_t(i))));
    return h;
  }
  return mix(h, uint64_t(n.payload));
}

Json CompactHistory::json(ValueId id) const {
  if (id == kNoValue) return Json();
  const ValueNode n = node(id);
  switch (n.kind) {
    case ValueKind::kNull: return Json();
    case ValueKind::kBool: return Json(n.payload != 0);
    case ValueKind::kInt: return Json(n.payload);
    case ValueKind::kUint: return Json(uint64_t(n.payload));
    case ValueKind::kDouble: return Json(std::bit_cast<double>(n.payload));
    case ValueKind::kString: return Json(std::string(str(StringId(n.payload))));
    case ValueKind::kArray: {
      Json a = Json::array();
      a.get_ref<Json::array_t&>().reserve(n.size);
      for (size_t i = 0; i < n.size; ++i) a.push_back(json(element(id, i)));
      return a;
    }
    case ValueKind::kObject: {
      Json o = Json::object();
      for (size_t i = 0; i < n.size; ++i) o[std::string(str(as_string(member_key(id, i))))] = json(member_value(id, i));
      return o;
    }
  }
  return Json();
}

Op CompactHistory::op(size_t i) const {
  const CompactOp& c = ops_[i];
  Op op;
  op.index = c.index;
  op.time = c.time;
  op.type = c.type;
  op.process = c.process;
  if (c.f != kNoString) op.f = std::string(str(c.f));
  op.value = json(c.value);
  if (c.error != kNoValue) op.error = json(c.error);
  if (c.node != kNoString) op.node = std::string(str(c.node));
  return op;
}

History CompactHistory::history() const {
  History h;
  h.reserve(ops_.size());
  for (size_t i = 0; i < ops_.size(); ++i) h.push_back(op(i));
  return h;
}

size_t CompactHistory::bytes() const {
  return ops_.capacity() * sizeof(CompactOp) + values_.capacity() * sizeof(ValueNode) +
         ints_.capacity() * sizeof(int64_t) + chunks_.size() * kChunk + strings_.capacity() * sizeof(std::string_view) +
         string_ids_.size() * 48;
}

StringId CompactHistoryBuilder::intern(std::string_view text) {
  auto it = h_.string_ids_.find(text);
  if (it != h_.string_ids_.end()) return it->second;
  char* at;
  if (text.size() > kChunk / 4) {
    h_.chunks_.push_back(std::make_unique<char[]>(text.size()));
    at = h_.chunks_.back().get();
    // A big string takes a chunk of its own; the open chunk stays the one to fill.
    if (h_.chunks_.size() > 1) std::swap(h_.chunks_.back(), h_.chunks_[h_.chunks_.size() - 2]);
  } else {
    // The first string (even an empty one) opens the first chunk.
    if (h_.chunk_left_ < text.size() || h_.chunks_.empty()) {
      h_.chunks_.push_back(std::make_unique<char[]>(kChunk));
      h_.chunk_left_ = kChunk;
    }
    at = h_.chunks_.back().get() + (kChunk - h_.chunk_left_);
    h_.chunk_left_ -= text.size();
  }
  if (!text.empty()) std::memcpy(at, text.data(), text.size());
  const auto id = StringId(h_.strings_.size());
  h_.strings_.emplace_back(at, text.size());
  h_.string_ids_.emplace(h_.strings_.back(), id);
  return id;
}

void CompactHistoryBuilder::push(ValueNode n) { pending_.push_back(n); }
void CompactHistoryBuilder::null() { push({ValueKind::kNull, false, 0, 0}); }
void CompactHistoryBuilder::boolean(bool b) { push({ValueKind::kBool, false, 0, b ? 1 : 0}); }
void CompactHistoryBuilder::integer(int64_t i) { push({ValueKind::kInt, false, 0, i}); }
void CompactHistoryBuilder::unsigned_integer(uint64_t u) {
  if (u <= uint64_t(std::numeric_limits<int64_t>::max())) return integer(int64_t(u));
  push({ValueKind::kUint, false, 0, int64_t(u)});
}
void CompactHistoryBuilder::real(double d) { push({ValueKind::kDouble, false, 0, std::bit_cast<int64_t>(d)}); }
void CompactHistoryBuilder::string(std::string_view text) { push({ValueKind::kString, false, 0, intern(text)}); }

void CompactHistoryBuilder::begin_array() {
  open_.push_back(pending_.size());
  open_is_object_.push_back(0);
}
void CompactHistoryBuilder::begin_object() {
  open_.push_back(pending_.size());
  open_is_object_.push_back(1);
}

void CompactHistoryBuilder::end() {
  if (open_.empty()) fail(ErrorCode::kInternal, "compact history: end() without an open container");
  const size_t start = open_.back();
  const bool object = open_is_object_.back();
  open_.pop_back();
  open_is_object_.pop_back();
  if (object && (pending_.size() - start) % 2 != 0)
    fail(ErrorCode::kInternal, "compact history: an object member has no value");
  // Ordering drops repeated keys, so the count is taken after it.
  if (object && pending_.size() - start > 2) order_members(start);
  const size_t children = pending_.size() - start;
  // Ids are 31 bits (the top one marks a packed element): past that they would silently alias.
  if (std::max(h_.ints_.size(), h_.values_.size()) + children >= kPackedInt)
    fail(ErrorCode::kBadInput, "the history holds more than 2^31 values, more than a check can index: split it");
  const auto all = pending_.begin() + int64_t(start);
  if (!object && children > 0 &&
      std::all_of(all, pending_.end(), [](const ValueNode& n) { return n.kind == ValueKind::kInt; })) {
    const auto first = int64_t(h_.ints_.size());
    for (auto it = all; it != pending_.end(); ++it) h_.ints_.push_back(it->payload);
    pending_.resize(start);
    return push({ValueKind::kArray, true, uint32_t(children), first});
  }
  const auto first = int64_t(h_.values_.size());
  h_.values_.insert(h_.values_.end(), all, pending_.end());
  pending_.resize(start);
  push({object ? ValueKind::kObject : ValueKind::kArray, false, uint32_t(object ? children / 2 : children), first});
}

void CompactHistoryBuilder::order_members(size_t start) {
  const size_t n = (pending_.size() - start) / 2;
  auto key = [&](size_t i) { return h_.str(StringId(pending_[start + 2 * i].payload)); };
  bool ordered = true;
  for (size_t i = 1; i < n && ordered; ++i) ordered = key(i - 1) < key(i);
  if (ordered) return;
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), 0u);
  std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
  sorted_.clear();
  for (size_t k = 0; k < n; ++k) {
    // Of equal keys (in the order given, the sort being stable) the last one stands.
    if (k + 1 < n && pending_[start + 2 * order_[k]].payload == pending_[start + 2 * order_[k + 1]].payload) continue;
    sorted_.push_back(pending_[start + 2 * order_[k]]);
    sorted_.push_back(pending_[start + 2 * order_[k] + 1]);
  }
  pending_.resize(start);
  pending_.insert(pending_.end(), sorted_.begin(), sorted_.end());
}

void CompactHistoryBuilder::rollback(const Mark& m, bool strings) {
  pending_.clear();
  open_.clear();
  open_is_object_.clear();
  if (h_.values_.size() > m.values) h_.values_.resize(m.values);
  if (h_.ints_.size() > m.ints) h_.ints_.resize(m.ints);
  if (!strings) return;
  for (size_t id = m.strings; id < h_.strings_.size(); ++id) h_.string_ids_.erase(h_.strings_[id]);
  if (h_.strings_.size() > m.strings) h_.strings_.resize(m.strings);
}

void CompactHistoryBuilder::reserve(size_t ops, size_t values, size_t ints) {
  h_.ops_.reserve(ops);
  h_.values_.reserve(values);
  h_.ints_.reserve(ints);
}

void CompactHistoryBuilder::reserve_for(size_t done, size_t total) {
  if (done == 0 || total <= done) return;
  // What the part read so far needed, scaled to the whole and a little more: one allocation of
  // about the right size rather than doublings that leave up to half unused.
  const double scale = double(total) / double(done) * 1.1;
  auto scaled = [&](size_t n) { return size_t(double(n) * scale) + 16; };
  reserve(scaled(h_.ops_.size()), scaled(h_.values_.size()), scaled(h_.ints_.size()));
}

void CompactHistoryBuilder::append(const CompactHistory& piece) {
  std::vector<StringId> ids(piece.strings_.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = intern(piece.strings_[i]);
  // The piece's node 0 is its shared null, which maps onto ours; its other nodes follow ours.
  const int64_t offset = int64_t(h_.values_.size()) - 1;
  const auto int_offset = int64_t(h_.ints_.size());
  h_.values_.reserve(h_.values_.size() + piece.values_.size());
  for (size_t i = 1; i < piece.values_.size(); ++i) {
    ValueNode n = piece.values_[i];
    if (n.kind == ValueKind::kString)
      n.payload = ids[size_t(n.payload)];
    else if (n.packed)
      n.payload += int_offset;
    else if (n.kind == ValueKind::kArray || n.kind == ValueKind::kObject)
      n.payload += offset;
    h_.values_.push_back(n);
  }
  h_.ints_.insert(h_.ints_.end(), piece.ints_.begin(), piece.ints_.end());
  auto value = [&](ValueId v) { return v == kNoValue || v == kSharedNull ? v : ValueId(int64_t(v) + offset); };
  auto string = [&](StringId s) { return s == kNoString ? s : ids[s]; };
  const auto shift = int64_t(h_.ops_.size());
  h_.ops_.reserve(h_.ops_.size() + piece.ops_.size());
  for (CompactOp op : piece.ops_) {
    op.index += shift;
    op.value = value(op.value);
    op.error = value(op.error);
    op.f = string(op.f);
    op.node = string(op.node);
    h_.ops_.push_back(op);
  }
}

ValueId CompactHistoryBuilder::value() {
  if (pending_.size() != 1 || !open_.empty())
    fail(ErrorCode::kInternal, "compact history: value() needs one whole value");
  const ValueNode n = pending_.back();
  pending_.clear();
  if (n.kind == ValueKind::kNull) return kSharedNull;
  h_.values_.push_back(n);
  return ValueId(h_.values_.size() - 1);
}

void CompactHistoryBuilder::add_json(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded: return null();
    case Json::value_t::boolean: return boolean(j.get<bool>());
    case Json::value_t::number_integer: return integer(j.get<int64_t>());
    case Json::value_t::number_unsigned: return unsigned_integer(j.get<uint64_t>());
    case Json::value_t::number_float: return real(j.get<double>());
    case Json::value_t::string: return string(j.get_ref<const std::string&>());
    case Json::value_t::binary: return string(j.dump());
    case Json::value_t::array:
      begin_array();
      for (const Json& x : j) add_json(x);
      return end();
    case Json::value_t::object:
      begin_object();
      for (const auto& [k, v] : j.items()) {
        key(k);
        add_json(v);
      }
      return end();
  }
}

ValueId CompactHistoryBuilder::json(const Json& j) {
  add_json(j);
  return value();
}

void CompactHistoryBuilder::add(CompactOp op) {
  if (op.index < 0) op.index = int64_t(h_.ops_.size());
  h_.ops_.push_back(op);
}

CompactHistory CompactHistoryBuilder::finish() {
  CompactHistory done = std::move(h_);
  h_ = CompactHistory();
  h_.values_.push_back({});
  pending_.clear();
  open_.clear();
  open_is_object_.clear();
  return done;
}

CompactHistory compact(const History& history) {
  CompactHistoryBuilder b;
  for (const Op& op : history) {
    CompactOp c;
    c.index = op.index;
    c.time = op.time;
    c.process = op.process;
    c.type = op.type;
    c.f = b.intern(op.f);
    c.value = b.json(op.value);
    if (!op.error.is_null()) c.error = b.json(op.error);
    if (!op.node.empty()) c.node = b.intern(op.node);
    b.add(c);
  }
  return b.finish();
}

void validate(const CompactHistory& history, const std::string& source) {
  validate_ops(history.ops(), source, [&](size_t i) { return describe(history.op(i)); });
}

}  // namespace faultline
