// unique-ids: every op asks the system for a new id ({f generate}); checker "unique-ids" finds ids
// returned twice. No options.
#pragma once

#include "workloads/workload.h"

namespace faultline {
Workload unique_ids_workload(const WorkloadEnv& env);
}
