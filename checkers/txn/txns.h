// A transactional history in compact form: every txn op of a history with its micro-ops, keys and
// values interned to small integers, so inference over millions of ops stays cache-friendly.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "harness/core/compact_history.h"
#include "harness/core/json.h"

namespace faultline::txn {

// Interned id of the initial state: a nil register, an empty list.
inline constexpr uint32_t kInit = 0;

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
  std::unordered_map<int64_t, uint32_t> ints_;
  std::unordered_map<StringId, uint32_t> strings_;
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
