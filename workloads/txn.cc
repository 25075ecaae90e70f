#include "workloads/txn.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "checkers/txn/consistency.h"
#include "harness/core/error.h"
#include "workloads/options.h"

namespace faultline {
namespace {

// The active keys: slot i holds a key until it has had max_writes writes, then a fresh key.
struct KeyPool {
  std::vector<int64_t> slot_key;
  std::vector<double> cumulative_weight;  // for picking a slot
  std::vector<int64_t> writes;            // key -> writes so far (also: the last value written)
  int64_t max_writes = 0;

  int64_t pick(Rng& rng) const {
    double r = rng.unit() * cumulative_weight.back();
    size_t i = 0;
    while (i + 1 < cumulative_weight.size() && cumulative_weight[i] <= r) ++i;
    return slot_key[i];
  }
  // The next unique value for `key`; retires the key from its slot when it is full.
  int64_t write(int64_t key) {
    int64_t value = ++writes[static_cast<size_t>(key)];
    if (value < max_writes) return value;
    for (auto& k : slot_key)
      if (k == key) {
        k = static_cast<int64_t>(writes.size());
        writes.push_back(0);
      }
    return value;
  }
};

std::vector<double> cumulative_weights(const std::string& dist, int n) {
  std::vector<double> out;
  double total = 0;
  for (int i = 0; i < n; ++i) {
    if (dist == "uniform")
      total += 1;
    else if (dist == "exponential")
      total += std::ldexp(1.0, -i);
    else
      total += 1.0 / (i + 1);
    out.push_back(total);
  }
  return out;
}

// Checked here, so a misspelt model stops the test before it runs rather than after.
Json consistency_models(const Json& options) {
  auto it = options.find("consistency-models");
  if (it == options.end()) return Json::array({"strict-serializable"});
  Json models = it->is_string() ? Json::array({*it}) : *it;
  bool names = models.is_array() && !models.empty() &&
               std::all_of(models.begin(), models.end(), [](const Json& m) { return m.is_string(); });
  if (!names)
    fail(ErrorCode::kBadInput,
         "workload option \"consistency-models\" must be a model name or a list "
         "of them, e.g. [\"serializable\"]");
  txn::reportable_anomalies(models.get<std::vector<std::string>>(), {});  // throws for unknown names
  return models;
}

}  // namespace

Workload txn_workload(const WorkloadEnv& env, bool list_append) {
  int key_count = workload_options(env.options).at_least<int>("key-count", 8, 1);
  std::string dist =
      workload_options(env.options).choice("key-dist", "exponential", {"uniform", "exponential", "zipf"});
  int min_length = workload_options(env.options).at_least<int>("min-txn-length", 1, 1);
  int max_length = workload_options(env.options).at_least<int>("max-txn-length", 4, min_length);
  int max_writes = workload_options(env.options).at_least<int>("max-writes-per-key", 32, 1);
  Json models = consistency_models(env.options);
  const char* write_f = list_append ? "append" : "w";

  auto pool = std::make_shared<KeyPool>();
  for (int i = 0; i < key_count; ++i) pool->slot_key.push_back(i);
  pool->writes.assign(static_cast<size_t>(key_count), 0);
  pool->cumulative_weight = cumulative_weights(dist, key_count);
  pool->max_writes = max_writes;

  Workload w;
  w.generator = fn([=](const Context& ctx) -> std::optional<Op> {
    Op op;
    op.f = "txn";
    op.value = Json::array();
    int64_t length = ctx.rng->between(min_length, max_length);
    for (int64_t i = 0; i < length; ++i) {
      int64_t key = pool->pick(*ctx.rng);
      if (ctx.rng->chance(0.5))
        op.value.push_back(Json::array({"r", key, nullptr}));
      else
        op.value.push_back(Json::array({write_f, key, pool->write(key)}));
    }
    return op;
  });
  // Final reads, max-txn-length keys at a time, of every key handed out.
  auto next_read = std::make_shared<int64_t>(0);
  w.final_generator = fn([=](const Context&) -> std::optional<Op> {
    auto keys = static_cast<int64_t>(pool->writes.size());
    if (*next_read >= keys) return std::nullopt;
    Op op;
    op.f = "txn";
    op.value = Json::array();
    for (int i = 0; i < max_length && *next_read < keys; ++i)
      op.value.push_back(Json::array({"r", (*next_read)++, nullptr}));
    return op;
  });
  w.checkers = {{list_append ? "list-append" : "rw-register", {{"consistency-models", models}}}};
  return w;
}

}  // namespace faultline
