// A history: the ops of one run in the order they happened, with a dense index.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/op.h"

namespace faultline {

using History = std::vector<Op>;

// Assigns index = position to every op (histories imported from elsewhere may lack indices).
void reindex(History& history);

// Checks the op model: every completion follows an invocation of the same process, a process never
// has two invocations outstanding, completion types are ok/fail/info. Throws Error(kBadInput)
// naming `source` and the op's index on the first violation. Invocations left open at the end are
// allowed (the run was cut off); they count as info.
void validate(const History& history, const std::string& source);

// For each op, the index of its partner (invocation <-> completion), or -1 when it has none.
// Requires a valid history.
std::vector<int64_t> pair_index(const History& history);

// validate() over any sequence of ops (History, CompactHistory::ops()); describe(i) names op i.
template <class Ops, class Describe>
void validate_ops(const Ops& ops, const std::string& source, Describe describe) {
  std::unordered_map<int64_t, size_t> open;  // process -> position of its open invocation
  for (size_t i = 0; i < ops.size(); ++i) {
    const auto& op = ops[i];
    auto where = [&] {
      return source + ": op " + std::to_string(op.index >= 0 ? op.index : static_cast<int64_t>(i)) + " (" +
             describe(i) + ")";
    };
    if (op.is_nemesis()) continue;  // nemesis ops may be recorded as completions only
    auto it = open.find(op.process);
    if (op.is_invoke()) {
      if (it != open.end())
        fail(ErrorCode::kBadInput, where() + ": process " + std::to_string(op.process) +
                                       " invoked again before its op at position " + std::to_string(it->second) +
                                       " completed");
      open.emplace(op.process, i);
    } else {
      if (it == open.end())
        fail(ErrorCode::kBadInput,
             where() + ": completion without an invocation by process " + std::to_string(op.process));
      open.erase(it);
    }
  }
}

// pair_index over any sequence of ops with is_invoke() and process (History, CompactHistory::ops()).
template <class Ops>
std::vector<int64_t> pair_positions(const Ops& ops) {
  std::vector<int64_t> partner(ops.size(), -1);
  std::unordered_map<int64_t, size_t> open;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].is_invoke()) {
      open[ops[i].process] = i;
    } else if (auto it = open.find(ops[i].process); it != open.end()) {
      partner[i] = static_cast<int64_t>(it->second);
      partner[it->second] = static_cast<int64_t>(i);
      open.erase(it);
    }
  }
  return partner;
}

}  // namespace faultline
