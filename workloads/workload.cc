#include "workloads/workload.h"

#include <functional>
#include <map>

#include "harness/core/error.h"
#include "workloads/register.h"

namespace faultline {
namespace {

struct Entry {
  std::function<Workload(const WorkloadEnv&)> make;
  std::string help;
};

const std::map<std::string, Entry>& table() {
  static const std::map<std::string, Entry> t = {
      {"register",
       {[](const WorkloadEnv& e) { return register_workload(e, false); },
        "reads and writes on independent keys; checked for linearizability. Options: "
        "threads-per-key (5), ops-per-key (100), values (5)"}},
      {"cas-register",
       {[](const WorkloadEnv& e) { return register_workload(e, true); },
        "reads, writes and compare-and-set on independent keys; checked for linearizability. "
        "Options as register"}},
  };
  return t;
}

}  // namespace

Workload make_workload(const std::string& name, const WorkloadEnv& env) {
  auto it = table().find(name);
  if (it == table().end()) {
    std::string known;
    for (const auto& n : workload_names()) known += (known.empty() ? "" : ", ") + n;
    fail(ErrorCode::kNotFound, "unknown workload \"" + name + "\"; known: " + known);
  }
  return it->second.make(env);
}

std::vector<std::string> workload_names() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : table()) names.push_back(name);
  return names;
}

std::string workload_help() {
  std::string out;
  for (const auto& [name, entry] : table()) out += "  " + name + ": " + entry.help + "\n";
  return out;
}

}  // namespace faultline
