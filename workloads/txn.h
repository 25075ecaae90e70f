// list-append and rw-register: transactions of micro-ops over a small pool of active keys, checked
// by the Elle-style transactional checker. Micro-ops are ["r", k, null] and ["append", k, v]
// (list-append) or ["w", k, v] (rw-register); every value written to a key is unique (1, 2, ...).
// A key retires after max-writes-per-key writes and a fresh key takes its slot, so each key's
// history stays small. The final phase reads every key ever used.
//   key-count (default 8)             active keys
//   key-dist (default "exponential")  how often each active key is picked: uniform | exponential
//                                     (slot i with weight 2^-i) | zipf (weight 1/(i+1))
//   min-txn-length (1), max-txn-length (4)  micro-ops per transaction, uniform in between
//   max-writes-per-key (32)
//   consistency-models (["strict-serializable"])  passed to the checker
#pragma once

#include "workloads/workload.h"

namespace faultline {
Workload txn_workload(const WorkloadEnv& env, bool list_append);
}
