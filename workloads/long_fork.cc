#include "workloads/long_fork.h"

#include <memory>

#include "workloads/options.h"

namespace faultline {

Workload long_fork_workload(const WorkloadEnv& env) {
  int group_size = workload_options(env.options).at_least<int>("group-size", 2, 2);
  auto next_key = std::make_shared<int64_t>(0);
  Workload w;
  w.generator = fn([=](const Context& ctx) -> std::optional<Op> {
    Op op;
    op.f = "txn";
    if (*next_key == 0 || ctx.rng->chance(0.5)) {
      op.value = Json::array({Json::array({"w", (*next_key)++, 1})});
      return op;
    }
    int64_t first = (*next_key - 1) / group_size * group_size;
    std::vector<int64_t> keys;
    for (int64_t k = first; k < first + group_size; ++k) keys.push_back(k);
    ctx.rng->shuffle(keys);
    op.value = Json::array();
    for (int64_t k : keys) op.value.push_back(Json::array({"r", k, nullptr}));
    return op;
  });
  w.checkers = {{"long-fork", {{"group-size", group_size}}}};
  return w;
}

}  // namespace faultline
