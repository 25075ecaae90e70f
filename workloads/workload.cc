#include "workloads/workload.h"

#include <algorithm>
#include <functional>
#include <map>

#include "harness/core/error.h"
#include "harness/core/registry.h"
#include "workloads/bank.h"
#include "workloads/counter.h"
#include "workloads/long_fork.h"
#include "workloads/maelstrom.h"
#include "workloads/queue.h"
#include "workloads/register.h"
#include "workloads/set.h"
#include "workloads/txn.h"
#include "workloads/unique_ids.h"

namespace faultline {
namespace {

struct Entry {
  std::function<Workload(const WorkloadEnv&)> make;
  std::string vocabulary;
  std::string help;
};

const Registry<Entry>& table() {
  static const Registry<Entry> t(
      "workload",
      std::map<std::string, Entry>{
          {"register",
           {[](const WorkloadEnv& e) { return register_workload(e, false); }, "register",
            "reads and writes on independent keys; checked for linearizability. Options: "
            "threads-per-key (5), ops-per-key (100), values (5)"}},
          {"cas-register",
           {[](const WorkloadEnv& e) { return register_workload(e, true); }, "cas-register",
            "reads, writes and compare-and-set on independent keys; checked for linearizability. "
            "Options as register"}},
          {"list-append",
           {[](const WorkloadEnv& e) { return txn_workload(e, true); }, "list-append",
            "transactions of reads and appends to lists, final reads of every key; checked by the "
            "Elle-style list-append checker. Options: key-count (8), key-dist (exponential | uniform | "
            "zipf), min-txn-length (1), max-txn-length (4), max-writes-per-key (32), consistency-models "
            "([\"strict-serializable\"])"}},
          {"rw-register",
           {[](const WorkloadEnv& e) { return txn_workload(e, false); }, "rw-register",
            "transactions of reads and writes of registers, final reads of every key; checked by the "
            "Elle-style rw-register checker. Options as list-append"}},
          {"set",
           {[](const WorkloadEnv& e) { return set_workload(e, false); }, "set",
            "adds of unique elements to a set, then a final read; lost and unexpected elements. No options"}},
          {"set-full",
           {[](const WorkloadEnv& e) { return set_workload(e, true); }, "set",
            "adds and reads of a set throughout, until `elements` adds; stable, lost, stale and "
            "never-read elements with latencies. Options: elements (1000), read-every (10: one op in 10 "
            "is a read), linearizable (false)"}},
          {"counter",
           {counter_workload, "counter",
            "adds and reads of a counter; reads must lie within the possible sums. Options: max-add (5)"}},
          {"bank",
           {bank_workload, "bank",
            "transfers between accounts and reads of all balances; the total must hold. Options: "
            "accounts (5), balance (10: per account, opened so by the memory target), max-transfer (5), "
            "negative-balances (false)"}},
          {"queue",
           {queue_workload, "queue",
            "enqueues, dequeues and a final drain; lost, duplicated and unexpected elements. Options: "
            "allow-duplicates (false)"}},
          {"unique-ids",
           {unique_ids_workload, "unique-ids", "generate ids; any id returned twice is an error. No options"}},
          // Maelstrom's workloads, for the maelstrom target (docs/maelstrom.md).
          {"echo", {echo_workload, "echo", "Maelstrom echo: every echo returns what was sent. No options"}},
          {"broadcast",
           {broadcast_workload, "broadcast",
            "Maelstrom broadcast/read: every acknowledged message must be in every node's final read. "
            "Options: read-every (3), settle-s (5)"}},
          {"g-set",
           {g_set_workload, "g-set", "Maelstrom g-set add/read; lost elements. Options: read-every (3), settle-s (3)"}},
          {"g-counter",
           {[](const WorkloadEnv& e) { return counter_crdt_workload(e, false); }, "g-counter",
            "Maelstrom g-counter add/read; every node's final read is the acknowledged sum. Options: "
            "max-add (5), settle-s (3)"}},
          {"pn-counter",
           {[](const WorkloadEnv& e) { return counter_crdt_workload(e, true); }, "pn-counter",
            "Maelstrom pn-counter: as g-counter with negative adds"}},
          {"kafka",
           {kafka_workload, "kafka",
            "Maelstrom kafka send/poll/commit_offsets/list_committed_offsets: lost, skipped or reordered "
            "messages and regressing commits. Options: key-count (4), settle-s (3)"}},
          {"lin-kv",
           {[](const WorkloadEnv& e) { return register_workload(e, true); }, "cas-register",
            "Maelstrom lin-kv read/write/cas on keys; linearizable per key. Options as register"}},
          {"txn-list-append",
           {[](const WorkloadEnv& e) { return txn_workload(e, true); }, "list-append",
            "Maelstrom txn with r/append micro-ops; checked as list-append. Options as list-append"}},
          {"txn-rw-register",
           {[](const WorkloadEnv& e) { return txn_workload(e, false); }, "rw-register",
            "Maelstrom txn with r/w micro-ops; checked as rw-register. Options as list-append"}},
          {"long-fork",
           {long_fork_workload, "long-fork",
            "single-key writes and reads of key groups; forked reads violate snapshot isolation. "
            "Options: group-size (2)"}},
      });
  return t;
}

}  // namespace

namespace {
const Entry& entry(const std::string& name) { return table().at(name); }
}  // namespace

std::string workload_vocabulary(const std::string& name) { return entry(name).vocabulary; }

std::vector<std::string> workloads_speaking(const std::vector<std::string>& vocabularies) {
  std::vector<std::string> out;
  for (const auto& [name, e] : table().entries())
    if (std::find(vocabularies.begin(), vocabularies.end(), e.vocabulary) != vocabularies.end()) out.push_back(name);
  return out;
}

std::vector<std::string> vocabulary_names() {
  return {"register",   "cas-register", "list-append", "rw-register", "set",   "counter",   "bank",       "queue",
          "unique-ids", "long-fork",    "echo",        "broadcast",   "g-set", "g-counter", "pn-counter", "kafka"};
}

Workload make_workload(const std::string& name, const WorkloadEnv& env) {
  const Entry& e = entry(name);
  Workload w = e.make(env);
  w.vocabulary = e.vocabulary;
  // Every run gets its counts and its performance data for the report.
  w.checkers.emplace_back("stats", Json::object());
  w.checkers.emplace_back("perf", Json::object());
  return w;
}

std::vector<std::string> workload_names() { return table().names(); }

std::string workload_help() {
  std::string out;
  for (const auto& [name, entry] : table().entries()) out += "  " + name + ": " + entry.help + "\n";
  return out;
}

}  // namespace faultline
