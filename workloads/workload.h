// A workload: what a test does to the system (its op vocabulary and generator) and how the outcome
// is judged (its checkers). Any target whose client speaks the vocabulary can run it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/core/generator.h"
#include "harness/core/json.h"

namespace faultline {

struct WorkloadEnv {
  std::vector<std::string> nodes;
  int concurrency = 1;
  Json options = Json::object();  // the spec's workload-options
};

struct Workload {
  std::string vocabulary;         // the ops it speaks (see workload_vocabulary); a target must speak it
  Json prepare = Json::object();  // data the target must hold before the first op (Client::setup)
  Gen generator;                  // main-phase client ops; the runner bounds time and rate (it may
                                  // also end by itself, e.g. set-full after its adds)
  Gen final_generator;            // client ops once faults are healed (final reads); may be null
  // Checkers by registry name with their options ({"model": ...}, {"group-size": ...}).
  std::vector<std::pair<std::string, Json>> checkers;
};

// Throws Error(kNotFound) listing the known workloads, Error(kBadInput) for a bad option.
Workload make_workload(const std::string& name, const WorkloadEnv& env);
std::vector<std::string> workload_names();
// The op vocabulary a workload speaks: register, cas-register, list-append, rw-register, set
// (set and set-full), counter, bank, queue, unique-ids or long-fork. Throws like make_workload.
std::string workload_vocabulary(const std::string& name);
// The workloads whose vocabulary is one of `vocabularies`.
std::vector<std::string> workloads_speaking(const std::vector<std::string>& vocabularies);
// Every vocabulary name.
std::vector<std::string> vocabulary_names();
// One line per workload and option, for `faultline test --help`.
std::string workload_help();

}  // namespace faultline
