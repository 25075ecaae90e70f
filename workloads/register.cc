#include "workloads/register.h"

#include <memory>

#include "workloads/options.h"

namespace faultline {

Workload register_workload(const WorkloadEnv& env, bool with_cas) {
  int per_key = workload_options(env.options).at_least<int>("threads-per-key", 5, 1);
  int64_t ops_per_key = workload_options(env.options).at_least<int>("ops-per-key", 100, 1);
  int values = workload_options(env.options).at_least<int>("values", 5, 1);

  auto next_key = std::make_shared<int64_t>(0);  // keys are handed out in order across groups
  auto key_gen = [=] {
    int64_t key = (*next_key)++;
    return limit(ops_per_key, fn([=](const Context& ctx) -> std::optional<Op> {
                   Op op;
                   uint64_t roll = ctx.rng->below(with_cas ? 3 : 2);
                   if (roll == 0) {
                     op.f = "read";
                     op.value = Json::array({key, nullptr});
                   } else if (roll == 1) {
                     op.f = "write";
                     op.value = Json::array({key, ctx.rng->below(values)});
                   } else {
                     op.f = "cas";
                     op.value = Json::array({key, Json::array({ctx.rng->below(values), ctx.rng->below(values)})});
                   }
                   return op;
                 }));
  };
  int groups = std::max(1, env.concurrency / per_key);
  std::vector<std::pair<int, Gen>> ranges;
  for (int g = 0; g + 1 < groups; ++g) ranges.emplace_back(per_key, cycle(key_gen));
  Workload w;
  w.generator = reserve(std::move(ranges), cycle(key_gen));
  w.checkers = {{with_cas ? "cas-register" : "register", {{"model", with_cas ? "cas-register" : "register"}}}};
  return w;
}

}  // namespace faultline
