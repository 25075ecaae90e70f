#include "workloads/unique_ids.h"

namespace faultline {

Workload unique_ids_workload(const WorkloadEnv& env) {
  Workload w;
  w.generator = repeat(-1, once_op("generate"));
  w.checkers = {{"unique-ids", Json::object()}};
  return w;
}

}  // namespace faultline
