// counter: adds of random amounts in [1, max-add] (default 5) and reads, half each, on one counter
// that starts at 0. Checker "counter": every read within the sums of adds that surely / possibly
// happened before it.
#pragma once

#include "workloads/workload.h"

namespace faultline {
Workload counter_workload(const WorkloadEnv& env);
}
