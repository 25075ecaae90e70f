// What the search sees of a model: states and op kinds as small integers, and a step function over
// them, read straight from the compact history. Every model is reachable through the Json adapter
// (StepTable in search.h); a model may also offer a compact form that never builds Json on the hot
// path (Model::compact_steps).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "checkers/linear/model.h"
#include "harness/core/compact_history.h"

namespace faultline::linear {

// Interned states and op kinds of one part, with state 0 the initial one; not thread-safe (one per
// search). Refers to the compact history, which outlives it.
class Steps {
 public:
  virtual ~Steps() = default;
  // The id of an op kind: ops with equal (f, value, known) step alike. Throws Error(kBadInput) (the
  // message of Model::check_op) when the op is not one of the model's.
  virtual int32_t intern_op(const CompactModelOp& op) = 0;
  // The state id after op kind `kind` in state `state`, or -1 when the model refuses it.
  virtual int32_t step(int32_t state, int32_t kind) = 0;
  virtual bool read_only(int32_t kind) const = 0;
  // Model::unobservable for the info op kind `kind` among the kinds of every op of the part.
  virtual bool unobservable(int32_t kind, std::span<const int32_t> kinds) const { return false; }
  // For models whose state only grows between resets (a kv key's string under appends): true when
  // the read-only kind `read` is legal in no state that `state` leads to without a reset. False
  // when unsure: the search prunes a configuration on it (see resets).
  virtual bool hopeless(int32_t state, int32_t read) const { return false; }
  // Whether hopeless() can ever say true (the search skips asking otherwise).
  virtual bool grows() const { return false; }
  // Whether ops of this kind set the state whatever it was before (a put, a write).
  virtual bool resets(int32_t kind) const { return false; }
  // A short human form of a state for explanations (Model::describe of the state).
  virtual std::string describe(int32_t state) const = 0;
};

// A map from 64-bit keys (all but ~0) to ids, open addressing over one flat array: no allocation
// per entry, so memory grows with the entries and a lookup is one or two cache lines.
class FlatIdMap {
 public:
  static constexpr int32_t kMissing = -2;

  int32_t find(uint64_t key) const {
    if (slots_.empty()) return kMissing;
    for (size_t i = hash(key) & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].key == key) return slots_[i].id;
      if (slots_[i].key == kEmpty) return kMissing;
    }
  }

  // Adds key -> id; the key must not be present.
  void put(uint64_t key, int32_t id) {
    if ((size_ + 1) * 2 > slots_.size()) grow(std::max<size_t>(16, slots_.size() * 2));
    insert(key, id);
    ++size_;
  }

  // Room for `entries` without growing (a map whose size is known up front is sized once).
  void reserve(size_t entries) {
    size_t slots = 16;
    while (slots < 2 * entries) slots *= 2;
    if (slots > slots_.size()) grow(slots);
  }

  // The next key to probe when `key` is taken by something unequal (never the empty mark).
  static uint64_t probe(uint64_t key) {
    key = key * 0xBF58476D1CE4E5B9ull + 1;
    return key == kEmpty ? 1 : key;
  }
  static uint64_t usable(uint64_t key) { return key == kEmpty ? 0 : key; }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  struct Slot {
    uint64_t key = kEmpty;
    int32_t id = 0;
  };

  static uint64_t hash(uint64_t x) {
    x = (x ^ (x >> 31)) * 0x7FB5D329728EA185ull;
    return x ^ (x >> 27);
  }
  void insert(uint64_t key, int32_t id) {
    size_t i = hash(key) & (slots_.size() - 1);
    while (slots_[i].key != kEmpty) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = {key, id};
  }
  void grow(size_t slots) {
    std::vector<Slot> old(slots);
    old.swap(slots_);
    for (const Slot& s : old)
      if (s.key != kEmpty) insert(s.key, s.id);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

// A model's op kinds, each kept once under a 64-bit key of its fields; ids count from 0.
template <class Kind>
class KindTable {
 public:
  int32_t intern(uint64_t key, const Kind& kind) {
    if (int32_t id = ids_.find(key); id != FlatIdMap::kMissing) return id;
    ids_.put(key, int32_t(kinds_.size()));
    kinds_.push_back(kind);
    return int32_t(kinds_.size() - 1);
  }
  const Kind& operator[](int32_t id) const { return kinds_[size_t(id)]; }
  // Room for `kinds` kinds (at most one per op of the part) without growing.
  void reserve(size_t kinds) {
    kinds_.reserve(kinds);
    ids_.reserve(kinds);
  }

 private:
  std::vector<Kind> kinds_;
  FlatIdMap ids_;
};

// Memoized steps: (state, kind) -> next state, so that memory grows with the steps taken rather
// than with states x kinds.
class StepMemo {
 public:
  static constexpr int32_t kUnknown = FlatIdMap::kMissing;
  int32_t find(int32_t state, int32_t kind) const { return map_.find(pack(state, kind)); }
  void put(int32_t state, int32_t kind, int32_t next) { map_.put(pack(state, kind), next); }

 private:
  static uint64_t pack(int32_t state, int32_t kind) { return (uint64_t(uint32_t(state)) << 32) | uint32_t(kind); }
  FlatIdMap map_;
};

// Small ids for the values of one part: values that JSON calls equal (1 and 1.0, as the Json models
// compare them) share an id. Numbers that equal an integer go by that integer and strings by their
// interned id, with no Json made until json() asks for it; other values are looked up by their
// structural hash and, the first time, as Json.
class ValueIds {
 public:
  explicit ValueIds(const CompactHistory& h) : h_(h) {}

  int32_t of(ValueId v) {
    if (v != kNoValue) {
      ValueNode n = h_.node(v);
      if (n.kind == ValueKind::kInt) return integer(n.payload, [&] { return add(v); });
      if (n.kind == ValueKind::kString) return string(StringId(n.payload), [&] { return add(v); });
      if (double d; n.kind == ValueKind::kDouble && integral(d = std::bit_cast<double>(n.payload)))
        return integer(int64_t(d), [&] { return add(v); });
    }
    return structured(v);
  }

  int32_t of(const Json& value) {
    auto made = [&] { return add(value); };
    if (value.is_number_integer() && (!value.is_number_unsigned() || value.get<uint64_t>() <= uint64_t{INT64_MAX}))
      return integer(value.get<int64_t>(), made);
    if (value.is_number_float() && integral(value.get<double>())) return integer(int64_t(value.get<double>()), made);
    if (value.is_string())  // a string no op holds can equal no compact value: the Json map keeps it
      if (StringId s = h_.find(value.get_ref<const std::string&>()); s != kNoString) return string(s, made);
    return by_json(value);
  }

  const Json& json(int32_t id) const {
    if (ValueId& rep = reps_[size_t(id)]; rep != kNoValue) {
      jsons_[size_t(id)] = h_.json(rep);
      rep = kNoValue;
    }
    return jsons_[size_t(id)];
  }
  const CompactHistory& history() const { return h_; }

 private:
  static bool integral(double d) { return d >= -9.2e18 && d <= 9.2e18 && d == double(int64_t(d)); }

  template <class Make>
  int32_t integer(int64_t x, Make make) {
    if (x >= -kSmall && x < kSmall) {  // the table holds -1, whose key the map cannot
      if (small_.empty()) small_.assign(2 * kSmall, FlatIdMap::kMissing);
      int32_t& id = small_[size_t(x + kSmall)];
      if (id == FlatIdMap::kMissing) id = make();
      return id;
    }
    return find_or_put(ints_, uint64_t(x), make);
  }
  template <class Make>
  int32_t string(StringId s, Make make) {
    return find_or_put(strings_, s, make);
  }
  template <class Make>
  static int32_t find_or_put(FlatIdMap& map, uint64_t key, Make make) {
    if (int32_t id = map.find(key); id != FlatIdMap::kMissing) return id;
    int32_t id = make();
    map.put(key, id);
    return id;
  }

  // Any other value: by its structural hash, then as Json (the first time a value is seen).
  int32_t structured(ValueId v) {
    uint64_t key = FlatIdMap::usable(h_.hash(v));
    for (;; key = FlatIdMap::probe(key)) {
      int32_t e = by_hash_.find(key);
      if (e == FlatIdMap::kMissing) break;
      if (h_.equal(entries_[e].rep, v)) return entries_[e].id;
    }
    int32_t id = by_json(h_.json(v));
    by_hash_.put(key, int32_t(entries_.size()));
    entries_.push_back({v, id});
    return id;
  }
  int32_t by_json(const Json& value) {
    auto [it, added] = by_json_.emplace(value, int32_t(reps_.size()));
    if (added) add(value);
    return it->second;
  }

  int32_t add(ValueId rep) {
    reps_.push_back(rep);
    jsons_.emplace_back();
    return int32_t(reps_.size() - 1);
  }
  int32_t add(const Json& value) {
    reps_.push_back(kNoValue);
    jsons_.push_back(value);
    return int32_t(reps_.size() - 1);
  }

  struct Entry {
    ValueId rep;
    int32_t id;
  };
  static constexpr int64_t kSmall = 64;
  const CompactHistory& h_;
  std::vector<int32_t> small_;  // integer -kSmall .. kSmall-1 -> id
  FlatIdMap ints_, strings_;    // integer, string id -> id
  FlatIdMap by_hash_;           // compact hash (probed on) -> entry
  std::vector<Entry> entries_;
  std::map<Json, int32_t> by_json_;
  // Per id: the compact value its Json is still to be made from (kNoValue once made, or when it
  // came as Json), and that Json.
  mutable std::vector<ValueId> reps_;
  mutable std::vector<Json> jsons_;
};

// Interned sequences of small integers (a queue's contents, a set's sorted elements, a map's values
// per key): one id per distinct sequence, stored back to back in one arena.
class SequenceIds {
 public:
  int32_t intern(std::span<const int32_t> seq) {
    uint64_t key = 0x243F6A8885A308D3ull ^ seq.size();
    for (int32_t x : seq) key = (key ^ uint32_t(x)) * 0x100000001B3ull, key ^= key >> 29;
    key = FlatIdMap::usable(key);
    for (;; key = FlatIdMap::probe(key)) {
      int32_t id = ids_.find(key);
      if (id == FlatIdMap::kMissing) break;
      std::span<const int32_t> other = at(id);
      if (std::equal(other.begin(), other.end(), seq.begin(), seq.end())) return id;
    }
    int32_t id = int32_t(begin_.size());
    ids_.put(key, id);
    begin_.push_back(uint32_t(data_.size()));
    data_.insert(data_.end(), seq.begin(), seq.end());
    end_.push_back(uint32_t(data_.size()));
    return id;
  }
  std::span<const int32_t> at(int32_t id) const { return {data_.data() + begin_[id], data_.data() + end_[id]}; }

 private:
  std::vector<int32_t> data_;
  std::vector<uint32_t> begin_, end_;
  FlatIdMap ids_;
};

}  // namespace faultline::linear
