#include "workloads/bank.h"

#include "workloads/options.h"

namespace faultline {

Workload bank_workload(const WorkloadEnv& env) {
  int accounts = workload_options(env.options).at_least<int>("accounts", 5, 2);
  int balance = workload_options(env.options).at_least<int>("balance", 10, 0);
  int max_transfer = workload_options(env.options).at_least<int>("max-transfer", 5, 1);
  bool negative = workload_options(env.options).get<bool>("negative-balances", false);
  Workload w;
  w.generator = fn([=](const Context& ctx) -> std::optional<Op> {
    Op op;
    if (ctx.rng->chance(0.5)) {
      op.f = "read";
      return op;
    }
    int64_t from = ctx.rng->below(static_cast<uint64_t>(accounts));
    int64_t to = (from + ctx.rng->between(1, accounts - 1)) % accounts;  // never `from`
    op.f = "transfer";
    op.value = {{"from", from}, {"to", to}, {"amount", ctx.rng->between(1, max_transfer)}};
    return op;
  });
  w.final_generator = each_thread([] { return once_op("read"); });
  w.prepare = {{"accounts", accounts}, {"balance", balance}};
  Json ids = Json::array();
  for (int a = 0; a < accounts; ++a) ids.push_back(a);
  w.checkers = {
      {"bank",
       {{"accounts", ids}, {"total", static_cast<int64_t>(accounts) * balance}, {"negative-balances", negative}}}};
  return w;
}

}  // namespace faultline
