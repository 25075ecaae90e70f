// long-fork (Jepsen's): write transactions [["w", k, 1]] each write a fresh key k = 0, 1, 2, ...;
// read transactions read, in random order, the whole group of group-size keys (default 2) that
// holds the newest key written. Checker "long-fork": two reads that each saw a write the other
// missed are a fork, which snapshot isolation forbids.
#pragma once

#include "workloads/workload.h"

namespace faultline {
Workload long_fork_workload(const WorkloadEnv& env);
}
