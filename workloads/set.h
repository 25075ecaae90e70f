// set and set-full: adds of unique integers (0, 1, 2, ...) to one set.
//   set       adds only; the final phase reads the set. Checker "set": lost and unexpected elements.
//   set-full  reads throughout as well, so its ops stop after `elements` adds (default 1000;
//             every read holds the whole set, so the history grows with elements x reads).
//             About one op in read-every (default 10) is a read. Checker "set-full": stable, lost,
//             never-read and stale elements with their latencies. Option linearizable (default
//             false): stale elements are errors too.
#pragma once

#include "workloads/workload.h"

namespace faultline {
Workload set_workload(const WorkloadEnv& env, bool full);
}
