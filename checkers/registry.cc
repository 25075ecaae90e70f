#include "checkers/registry.h"

#include <functional>
#include <map>

#include "checkers/invariants/bank.h"
#include "checkers/invariants/broadcast.h"
#include "checkers/invariants/counter.h"
#include "checkers/invariants/long_fork.h"
#include "checkers/invariants/perf.h"
#include "checkers/invariants/queue.h"
#include "checkers/invariants/set.h"
#include "checkers/invariants/set_full.h"
#include "checkers/invariants/unique_ids.h"
#include "checkers/kafka/kafka.h"
#include "checkers/linear/linear_checker.h"
#include "checkers/stats.h"
#include "checkers/txn/txn.h"
#include "harness/core/registry.h"

namespace faultline {
namespace {

using Factory = std::function<std::unique_ptr<Checker>()>;

// One line per checker; each checker family adds its names here.
const Registry<Factory>& factories() {
  static const Registry<Factory> table(
      "checker or model", std::map<std::string, Factory>{
                              {"stats", [] { return stats_checker(); }},
                              {"noop", [] { return noop_checker(); }},
                              {"list-append", [] { return list_append_checker(); }},
                              {"rw-register", [] { return rw_register_checker(); }},
                              {"counter", [] { return counter_checker(); }},
                              {"set", [] { return set_checker(); }},
                              {"set-full", [] { return set_full_checker(); }},
                              {"bank", [] { return bank_checker(); }},
                              {"queue", [] { return queue_checker(); }},
                              {"total-queue", [] { return total_queue_checker(); }},
                              {"unique-ids", [] { return unique_ids_checker(); }},
                              {"long-fork", [] { return long_fork_checker(); }},
                              {"perf", [] { return perf_checker(); }},
                              {"echo", [] { return echo_checker(); }},
                              {"broadcast", [] { return broadcast_checker(); }},
                              {"eventual-counter", [] { return eventual_counter_checker(); }},
                              {"kafka", [] { return kafka_checker(); }},
                              {"register", [] { return linear::linear_checker("register"); }},
                              {"cas-register", [] { return linear::linear_checker("cas-register"); }},
                              {"mutex", [] { return linear::linear_checker("mutex"); }},
                              {"linear-set", [] { return linear::linear_checker("linear-set"); }},
                              {"unordered-queue", [] { return linear::linear_checker("unordered-queue"); }},
                              {"fifo-queue", [] { return linear::linear_checker("fifo-queue"); }},
                              {"multi-register", [] { return linear::linear_checker("multi-register"); }},
                              {"kv", [] { return linear::linear_checker("kv"); }},
                          });
  return table;
}

}  // namespace

std::unique_ptr<Checker> make_checker(const std::string& name) { return factories().at(name)(); }

std::vector<std::string> checker_names() { return factories().names(); }

}  // namespace faultline
