// The in-memory target: an in-process store of registers, lists, sets, counters, accounts and a
// queue, behind the Client interface. It needs no machines, so it drives the harness's own tests
// and lets anyone try faultline at once.
//
// It can be told to misbehave (target option "bugs", a list of names), so checkers can be shown
// catching real anomalies:
//   stale-read      a register, list or set read returns an older state about 1 time in 5
//                   (in transactions too: each micro-op read on its own)
//   lost-write      a write or append is acknowledged but not applied about 1 time in 10
//   non-atomic-txn  a transaction's micro-ops interleave with other transactions' micro-ops
//   lost-add        a set add, queue enqueue or counter add is acknowledged but dropped about
//                   1 time in 10
//   bad-transfer    a bank transfer debits but fails to credit about 1 time in 10
//   duplicate-id    a generate returns the previous id again about 1 time in 10
#pragma once

#include <memory>
#include <set>
#include <string>

#include "harness/core/json.h"
#include "targets/target.h"

namespace faultline {

// The bug names above.
const std::set<std::string>& memory_bug_names();

// A store speaking every workload vocabulary; which one it speaks comes from TestEnv::vocabulary
// at setup (`vocabulary` until then, for tests). `options`: {"bugs": [...], "accounts": N,
// "balance": B}. A client's setup(prepare) opens accounts 0..N-1 with balance B each; N and B
// override the bank workload's prepare data (which makes the total the checker expects wrong).
// Throws Error(kBadInput) for an unknown bug or a bad number.
std::unique_ptr<Target> memory_target(const std::string& vocabulary, const Json& options, uint64_t seed);

}  // namespace faultline
