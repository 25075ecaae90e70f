// What the search sees of a model: states and op kinds as small integers, and a step function over
// them. Every model is reachable through the Json adapter (StepTable in search.h); a model may also
// offer a compact form that never builds Json states on the hot path (Model::compact_steps).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "checkers/linear/model.h"

namespace faultline::linear {

// Interned states and op kinds of one part, with state 0 the initial one; not thread-safe (one per
// search).
class Steps {
 public:
  virtual ~Steps() = default;
  // The id of an op kind: ops with equal (f, value, known) step alike.
  virtual int32_t intern_op(const ModelOp& op) = 0;
  // The state id after op kind `kind` in state `state`, or -1 when the model refuses it.
  virtual int32_t step(int32_t state, int32_t kind) = 0;
  virtual bool read_only(int32_t kind) const = 0;
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
    if ((size_ + 1) * 2 > slots_.size()) grow();
    insert(key, id);
    ++size_;
  }

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
  void grow() {
    std::vector<Slot> old(std::max<size_t>(64, slots_.size() * 2));
    old.swap(slots_);
    for (const Slot& s : old)
      if (s.key != kEmpty) insert(s.key, s.id);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
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

}  // namespace faultline::linear
