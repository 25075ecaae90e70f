// register / cas-register: reads, writes and (for cas-register) compare-and-set over independent
// keys in Jepsen's [key value] form. Threads work in groups; each group runs a bounded number of ops
// on one key, then moves to a fresh key, so every key's history stays small enough to check for
// linearizability.
//   threads-per-key (default 5), ops-per-key (default 100), values (default 5: values 0..4)
#pragma once

#include "workloads/workload.h"

namespace faultline {
Workload register_workload(const WorkloadEnv& env, bool with_cas);
}
