#include "workloads/set.h"

#include <memory>

#include "workloads/options.h"

namespace faultline {

Workload set_workload(const WorkloadEnv& env, bool full) {
  int read_every = full ? workload_options(env.options).at_least<int>("read-every", 10, 1) : 0;
  int64_t elements = full ? workload_options(env.options).at_least<int>("elements", 1000, 1) : INT64_MAX;
  bool linearizable = full && workload_options(env.options).get<bool>("linearizable", false);
  auto next_element = std::make_shared<int64_t>(0);
  Workload w;
  w.generator = fn([=](const Context& ctx) -> std::optional<Op> {
    if (*next_element == elements) return std::nullopt;
    Op op;
    if (full && ctx.rng->below(static_cast<uint64_t>(read_every)) == 0) {
      op.f = "read";
    } else {
      op.f = "add";
      op.value = (*next_element)++;
    }
    return op;
  });
  w.final_generator = each_thread([] { return once_op("read"); });
  if (full)
    w.checkers = {{"set-full", {{"linearizable", linearizable}}}};
  else
    w.checkers = {{"set", Json::object()}};
  return w;
}

}  // namespace faultline
