// A workload: what a test does to the system (its op vocabulary and generator) and how the outcome
// is judged (its checkers). Any target whose client speaks the vocabulary can run it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/core/json.h"
#include "harness/run/generator.h"

namespace faultline {

struct WorkloadEnv {
  std::vector<std::string> nodes;
  int concurrency = 1;
  Json options = Json::object();  // the spec's workload-options
};

struct Workload {
  Gen generator;                  // main-phase client ops; the runner bounds time and rate (it may
                                  // also end by itself, e.g. set-full after its adds)
  Gen final_generator;            // client ops once faults are healed (final reads); may be null
  // Checkers by registry name with their options ({"model": ...}, {"group-size": ...}).
  std::vector<std::pair<std::string, Json>> checkers;
};

// Throws Error(kNotFound) listing the known workloads, Error(kBadInput) for a bad option.
Workload make_workload(const std::string& name, const WorkloadEnv& env);
std::vector<std::string> workload_names();
// One line per workload and option, for `faultline test --help`.
std::string workload_help();

}  // namespace faultline
