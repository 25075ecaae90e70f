#include "workloads/counter.h"

#include "workloads/options.h"

namespace faultline {

Workload counter_workload(const WorkloadEnv& env) {
  int max_add = workload_options(env.options).at_least<int>("max-add", 5, 1);
  Workload w;
  w.generator = fn([=](const Context& ctx) -> std::optional<Op> {
    Op op;
    if (ctx.rng->chance(0.5)) {
      op.f = "read";
    } else {
      op.f = "add";
      op.value = ctx.rng->between(1, max_add);
    }
    return op;
  });
  w.final_generator = each_thread([] { return once_op("read"); });
  w.checkers = {{"counter", Json::object()}};
  return w;
}

}  // namespace faultline
