#include "workloads/maelstrom.h"

#include <memory>

#include "workloads/options.h"

namespace faultline {

namespace {

// One read on every thread (so on every node) once the nodes had `settle_s` to converge.
Gen final_reads(int settle_s) {
  return phases({sleep_for(seconds(settle_s)), each_thread([] { return once_op("read"); })});
}

// Unique integers added/broadcast, one op in `read_every` a read.
Gen adds_and_reads(const std::string& f, int read_every) {
  auto next = std::make_shared<int64_t>(0);
  return fn([=](const Context& ctx) -> std::optional<Op> {
    Op op;
    if (ctx.rng->below(static_cast<uint64_t>(read_every)) == 0) {
      op.f = "read";
    } else {
      op.f = f;
      op.value = (*next)++;
    }
    return op;
  });
}

}  // namespace

Workload echo_workload(const WorkloadEnv&) {
  Workload w;
  w.generator = fn([](const Context& ctx) -> std::optional<Op> {
    Op op;
    op.f = "echo";
    op.value = "please echo " + std::to_string(ctx.rng->below(1000000000));
    return op;
  });
  w.checkers = {{"echo", Json::object()}};
  return w;
}

Workload broadcast_workload(const WorkloadEnv& env) {
  Workload w;
  w.generator = adds_and_reads("broadcast", option_int(env.options, "read-every", 3, 1));
  w.final_generator = final_reads(option_int(env.options, "settle-s", 5, 0));
  w.checkers = {{"broadcast", Json::object()}};
  return w;
}

Workload g_set_workload(const WorkloadEnv& env) {
  Workload w;
  w.generator = adds_and_reads("add", option_int(env.options, "read-every", 3, 1));
  w.final_generator = final_reads(option_int(env.options, "settle-s", 3, 0));
  w.checkers = {{"set", Json::object()}};
  return w;
}

Workload counter_crdt_workload(const WorkloadEnv& env, bool negative) {
  int max_add = option_int(env.options, "max-add", 5, 1);
  Workload w;
  w.generator = fn([=](const Context& ctx) -> std::optional<Op> {
    Op op;
    if (ctx.rng->chance(0.3)) {
      op.f = "read";
    } else {
      op.f = "add";
      op.value = negative ? ctx.rng->between(-max_add, max_add) : ctx.rng->between(0, max_add);
    }
    return op;
  });
  w.final_generator = final_reads(option_int(env.options, "settle-s", 3, 0));
  w.checkers = {{"eventual-counter", Json::object()}};
  return w;
}

}  // namespace faultline
