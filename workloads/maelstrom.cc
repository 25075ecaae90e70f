#include "workloads/maelstrom.h"

#include <map>
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
  w.generator = adds_and_reads("broadcast", workload_options(env.options).at_least<int>("read-every", 3, 1));
  w.final_generator = final_reads(workload_options(env.options).at_least<int>("settle-s", 5, 0));
  w.checkers = {{"broadcast", Json::object()}};
  return w;
}

Workload g_set_workload(const WorkloadEnv& env) {
  Workload w;
  w.generator = adds_and_reads("add", workload_options(env.options).at_least<int>("read-every", 3, 1));
  w.final_generator = final_reads(workload_options(env.options).at_least<int>("settle-s", 3, 0));
  w.checkers = {{"set", Json::object()}};
  return w;
}

Workload counter_crdt_workload(const WorkloadEnv& env, bool negative) {
  int max_add = workload_options(env.options).at_least<int>("max-add", 5, 1);
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
  w.final_generator = final_reads(workload_options(env.options).at_least<int>("settle-s", 3, 0));
  w.checkers = {{"eventual-counter", Json::object()}};
  return w;
}

Workload kafka_workload(const WorkloadEnv& env) {
  int key_count = workload_options(env.options).at_least<int>("key-count", 4, 1);
  std::vector<std::string> keys;
  for (int k = 0; k < key_count; ++k) keys.push_back("k" + std::to_string(k));
  // Sends generated per key so far: polls start somewhere in the log written so far, and commits
  // move forward (nodes keep the highest committed offset).
  struct State {
    std::map<std::string, int64_t> sent;
    int64_t next_msg = 0;
  };
  auto state = std::make_shared<State>();
  Workload w;
  w.generator = fn([=](const Context& ctx) -> std::optional<Op> {
    const std::string& key = keys[ctx.rng->below(keys.size())];
    Op op;
    double roll = ctx.rng->unit();
    if (roll < 0.5) {
      op.f = "send";
      op.value = Json::array({key, state->next_msg++});
      ++state->sent[key];
    } else if (roll < 0.8) {
      op.f = "poll";
      op.value = {{key, ctx.rng->between(0, state->sent[key])}};
    } else if (roll < 0.9) {
      op.f = "commit_offsets";
      op.value = {{key, state->sent[key]}};
    } else {
      op.f = "list_committed_offsets";
      op.value = Json::array({key});
    }
    return op;
  });
  // After settle-s, every thread polls every key from 0 and lists the committed offsets.
  Json from_start = Json::object(), all = Json::array();
  for (const auto& k : keys) from_start[k] = 0, all.push_back(k);
  w.final_generator =
      phases({sleep_for(seconds(workload_options(env.options).at_least<int>("settle-s", 3, 0))), each_thread([=] {
                return phases({once_op("poll", from_start), once_op("list_committed_offsets", all)});
              })});
  w.checkers = {{"kafka", Json::object()}};
  return w;
}

}  // namespace faultline
