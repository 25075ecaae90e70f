// A history: the ops of one run in the order they happened, with a dense index.
#pragma once

#include <string>
#include <vector>

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

// Client ops only, in order; invocations without a completion get a synthetic info completion at
// the end, so checkers see every operation closed. Indices are kept from the original history.
History complete_client_history(const History& history);

}  // namespace faultline
