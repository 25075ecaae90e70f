// A transactional history in compact form: every txn op of a history with its micro-ops, keys and
// values interned to small integers, so inference over millions of ops stays cache-friendly.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "harness/core/compact_history.h"
#include "harness/core/json.h"

namespace faultline::txn {

// Interned id of the initial state: a nil register, an empty list.
inline constexpr uint32_t kInit = 0;

// A hash index from 64-bit keys to dense ids, open addressing in one flat array: the lookups of
// inference run millions of times, and node-based maps cost a cache miss and an allocation each.
class FlatIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  explicit FlatIndex(size_t expected = 0) { rehash(expected * 2 + 16); }
  uint32_t find(uint64_t key) const {
    for (size_t i = bucket(key);; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.id == kNone) return kNone;
      if (e.key == key) return e.id;
    }
  }
  // The id of `key`, giving it `id` when it has none; second: whether it was added.
  std::pair<uint32_t, bool> insert(uint64_t key, uint32_t id) {
    if ((size_ + 1) * 4 > entries_.size() * 3) rehash(entries_.size() * 2);
    for (size_t i = bucket(key);; i = (i + 1) & mask_) {
      Entry& e = entries_[i];
      if (e.id == kNone) {
        e = {key, id};
        ++size_;
        return {id, true};
      }
      if (e.key == key) return {e.id, false};
    }
  }
  size_t size() const { return size_; }

 private:
  struct Entry {
    uint64_t key = 0;
    uint32_t id = kNone;
  };
  size_t bucket(uint64_t key) const { return size_t((key * 0x9e3779b97f4a7c15ULL) >> shift_); }
  void rehash(size_t capacity) {
    size_t n = 16;
    while (n < capacity) n *= 2;
    std::vector<Entry> old = std::move(entries_);
    entries_.assign(n, Entry{});
    mask_ = n - 1;
    shift_ = 64 - unsigned(__builtin_ctzll(n));
    size_ = 0;
    for (const Entry& e : old)
      if (e.id != kNone) insert(e.key, e.id);
  }
  std::vector<Entry> entries_;
  size_t mask_ = 0, size_ = 0;
  unsigned shift_ = 0;
};

// Txns grouped by a 64-bit key (e.g. the version of a key they read), each group in the order
// given: one hash look-up finds a group, whose members are contiguous.
class Groups {
 public:
  Groups() = default;
  explicit Groups(const std::vector<std::pair<uint64_t, uint32_t>>& members);
  std::span<const uint32_t> of(uint64_t key) const {
    uint32_t g = index_.find(key);
    if (g == FlatIndex::kNone) return {};
    return {members_.data() + offsets_[g], members_.data() + offsets_[g + 1]};
  }

 private:
  FlatIndex index_;
  std::vector<uint32_t> offsets_;
  std::vector<uint32_t> members_;
};

// Maps the values of a compact history to dense ids from 1 (id 0 is kInit, for null); equal
// values get equal ids. Integers and strings, the common keys and values, never touch JSON.
class Interner {
 public:
  explicit Interner(const CompactHistory* history = nullptr) : history_(history) {}
  uint32_t id(ValueId value);
  // The value as JSON, for explanations.
  Json value(uint32_t id) const { return id == kInit ? Json() : history_->json(values_[id]); }
  // Number of ids handed out, counting kInit.
  size_t size() const { return values_.size(); }

 private:
  const CompactHistory* history_;
  FlatIndex ints_;
  FlatIndex strings_;
  std::unordered_map<std::string, uint32_t> others_;  // by their JSON text
  std::vector<ValueId> values_{kNoValue};             // a representative of each id
};

enum class MopKind : uint8_t { kAppend, kWrite, kRead };

struct Mop {
  MopKind kind;
  // For reads in info txns: the result was never seen, so the read tells nothing.
  bool unobserved = false;
  uint32_t key = 0;
  // Appended/written value; for register reads the value read (kInit for nil).
  uint32_t value = kInit;
  // List reads: the elements read are lists[list_begin, list_begin + list_len).
  uint32_t list_begin = 0;
  uint32_t list_len = 0;
};

enum class TxnStatus : uint8_t { kOk, kInfo, kFail };

struct Txn {
  uint32_t op;  // position of the completion in the history (for info txns with no useful
                // completion value: of the invocation)
  int64_t invoke_index;
  int64_t complete_index;  // -1 when the invocation never completed
  int64_t process;
  TxnStatus status;
  uint32_t mop_begin;
  uint32_t mop_count;
};

enum class DataModel { kListAppend, kRwRegister };

struct TxnHistory {
  const CompactHistory* history = nullptr;  // the ops, for explanations
  DataModel model;
  std::vector<Txn> txns;  // in completion order; node ids of the dependency graph
  std::vector<Mop> mops;
  std::vector<uint32_t> lists;
  Interner keys;
  Interner values;

  const Mop* begin(const Txn& t) const { return mops.data() + t.mop_begin; }
  const Mop* end(const Txn& t) const { return mops.data() + t.mop_begin + t.mop_count; }
  // The index of the txn's op, as the history numbers it.
  int64_t index(const Txn& t) const { return (*history)[t.op].index; }
};

// Collects the client ops with f "txn" (every op, when none has that f) of a valid history.
// Throws Error(kBadInput) naming the op index when a micro-op is not [f k v] with an f the model
// knows ("append"/"r" for list-append, "w"/"r" for rw-register).
// The history must outlive the result.
TxnHistory parse_txns(const CompactHistory& history, DataModel model);

// "T3" style display name; `number` is the position of the txn in a cycle or anomaly, from 1.
std::string txn_name(size_t number);

}  // namespace faultline::txn
