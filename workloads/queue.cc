#include "workloads/queue.h"

#include <memory>

#include "workloads/options.h"

namespace faultline {

Workload queue_workload(const WorkloadEnv& env) {
  bool allow_duplicates = workload_options(env.options).get<bool>("allow-duplicates", false);
  auto next_element = std::make_shared<int64_t>(0);
  Workload w;
  w.generator = fn([=](const Context& ctx) -> std::optional<Op> {
    Op op;
    if (ctx.rng->chance(0.5)) {
      op.f = "dequeue";
    } else {
      op.f = "enqueue";
      op.value = (*next_element)++;
    }
    return op;
  });
  w.final_generator = each_thread([] { return once_op("drain"); });
  w.checkers = {{"queue", Json::object()}, {"total-queue", {{"allow-duplicates", allow_duplicates}}}};
  return w;
}

}  // namespace faultline
