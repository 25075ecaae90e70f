// The search for a linearization of one part of a history (Wing & Gong / Lowe, as in Knossos and
// Porcupine), with interned model states, memoized steps, a flat cache of (placed ops, state)
// configurations keyed by an incrementally updated hash and pruned by subsumption of info ops, and
// info ops that may stay unplaced.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

#include "checkers/linear/steps.h"

namespace faultline::linear {

// Any model through its Json functions: each distinct op made Json once, interned Json states and
// memoized steps for one part. The edge for models that have no compact form.
class StepTable : public Steps {
 public:
  StepTable(const Model& model, const CompactHistory& history, const Json& initial_state);
  int32_t intern_op(const CompactModelOp& op) override;
  int32_t step(int32_t state, int32_t kind) override;
  bool read_only(int32_t kind) const override { return read_only_[kind]; }
  bool unobservable(int32_t kind, std::span<const int32_t> kinds) const override;
  bool hopeless(int32_t state, int32_t read) const override { return model_.hopeless(states_[state], kinds_[read]); }
  bool resets(int32_t kind) const override { return model_.resets(kinds_[kind]); }
  bool grows() const override { return model_.grows(); }
  std::string describe(int32_t state) const override { return model_.describe(states_[state]); }

 private:
  int32_t intern_state(Json state);

  const Model& model_;
  const CompactHistory& history_;
  std::vector<Json> states_;
  std::unordered_map<Json, int32_t> state_ids_;
  std::vector<ModelOp> kinds_;
  std::vector<bool> read_only_;  // per kind: Model::read_only
  // Kinds by (f, value id, known): equal values get one id, so an op is made Json only when new.
  ValueIds values_;
  FlatIdMap kind_ids_;
  StepMemo memo_;
};

// The steps for one part: the model's compact form when it has one for these ops, else its Json
// functions. `initial` is the model's initial state (Model::initial).
std::unique_ptr<Steps> make_steps(const Model& model, const CompactHistory& history, const Json& initial,
                                  std::span<const CompactModelOp> ops);

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// One operation of a part, ready for the search.
struct SearchOp {
  int64_t call = 0;      // position of the invocation in the history
  int64_t ret = kNever;  // position of the completion; kNever for info ops
  int32_t kind = 0;      // from Steps::intern_op
  bool required = true;  // ok ops must be placed; info ops may be placed or never happen
};

// Shared limits of all parts of one check.
struct SearchLimits {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  int64_t memory_limit_bytes = std::numeric_limits<int64_t>::max();
  std::atomic<int64_t>* memory_used = nullptr;  // bytes of caches of all running searches
  std::atomic<bool>* stop = nullptr;            // set when another part already decided the verdict
  // Set once some part is not linearizable: the verdict is known, and a search that has gone past
  // `configurations_once_decided` configurations stops (cancelled) instead of proving more.
  std::atomic<bool>* decided = nullptr;
  int64_t configurations_once_decided = std::numeric_limits<int64_t>::max();
};

enum class SearchOutcome { kLinearizable, kIllegal, kOutOfTime, kOutOfMemory, kCancelled };

struct SearchResult {
  SearchOutcome outcome = SearchOutcome::kCancelled;
  // Linearizable: a witness. Otherwise the longest prefix found (most required ops placed).
  // Pairs of (position in ops, state id after it).
  std::vector<std::pair<int32_t, int32_t>> linearization;
  // Illegal: the required op with the earliest completion that no extension of the prefix places.
  int32_t stuck = -1;
  // Illegal because `stuck` is legal in no state any sequence of the ops can reach (a read of a value
  // never written); no prefix is searched then.
  bool unreachable = false;
  int64_t configurations = 0;  // (placed ops, state) configurations explored or scheduled
  int64_t peak_bytes = 0;
};

// Searches for a linearization of ops (sorted by call) from state 0 of `steps`.
SearchResult search(const std::vector<SearchOp>& ops, Steps& steps, const SearchLimits& limits);

}  // namespace faultline::linear
