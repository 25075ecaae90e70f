// What the search sees of a model: states and op kinds as small integers, and a step function over
// them, read straight from the compact history. Every model is reachable through the Json adapter
// (StepTable in search.h); a model may also offer a compact form that never builds Json on the hot
// path (Model::compact_steps).
#pragma once

#include <algorithm>
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
// compare them) share an id. A compact value is looked up by its structural hash; only a value not
// seen before is turned into Json, once.
class ValueIds {
 public:
  explicit ValueIds(const CompactHistory& h) : h_(h) {}

  int32_t of(ValueId v) {
    // Small integers (most register values) by a table, other integers and strings by their payload
    // alone; a miss goes the slow way once.
    bool is_int = h_.is_int(v), is_string = !is_int && h_.is_string(v);
    if (is_int && uint64_t(h_.as_int(v)) < kSmall) {
      if (small_.empty()) small_.assign(kSmall, FlatIdMap::kMissing);
      int32_t& id = small_[size_t(h_.as_int(v))];
      if (id == FlatIdMap::kMissing) id = slow(v);
      return id;
    }
    uint64_t scalar = is_int ? uint64_t(h_.as_int(v)) : uint64_t(h_.as_string(v)) << 1;
    FlatIdMap& fast = is_int ? ints_ : strings_;
    if ((is_int || is_string) && scalar != ~uint64_t{0}) {
      if (int32_t id = fast.find(scalar); id != FlatIdMap::kMissing) return id;
      int32_t id = slow(v);
      fast.put(scalar, id);
      return id;
    }
    return slow(v);
  }

  int32_t of(const Json& value) {
    auto [it, added] = by_json_.emplace(value, int32_t(values_.size()));
    if (added) values_.push_back(value);
    return it->second;
  }

  const Json& json(int32_t id) const { return values_[id]; }
  const CompactHistory& history() const { return h_; }

 private:
  // Any value: by its structural hash, then as Json (the first time a value is seen).
  int32_t slow(ValueId v) {
    uint64_t key = FlatIdMap::usable(h_.hash(v));
    for (;; key = FlatIdMap::probe(key)) {
      int32_t e = by_hash_.find(key);
      if (e == FlatIdMap::kMissing) break;
      if (h_.equal(entries_[e].rep, v)) return entries_[e].id;
    }
    int32_t id = of(h_.json(v));
    by_hash_.put(key, int32_t(entries_.size()));
    entries_.push_back({v, id});
    return id;
  }

  struct Entry {
    ValueId rep;
    int32_t id;
  };
  static constexpr uint64_t kSmall = 64;
  const CompactHistory& h_;
  std::vector<int32_t> small_;  // integer 0 .. kSmall-1 -> id
  FlatIdMap ints_, strings_;    // payload -> id
  FlatIdMap by_hash_;           // compact hash (probed on) -> entry
  std::vector<Entry> entries_;
  std::map<Json, int32_t> by_json_;
  std::vector<Json> values_;
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
