// A test spec: everything that defines one run, as data. Read from a JSON file (`--spec`), then
// overridden by command-line flags; stored as spec.json in the run directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/json.h"

namespace faultline {

struct Spec {
  std::string name;                // default "<workload>-<target>"
  std::vector<std::string> nodes;  // node names or hosts; default n1..n5
  bool nodes_given = false;        // `nodes` was in the spec: with a sandbox or a nodes file it
                                   // picks those nodes of it
  std::string nodes_file;          // a nodes file (host[:port] key=value… per line) instead
  std::string sandbox;             // name of the local sandbox to run on ("fl"), or empty
  Json ssh = Json::object();       // user, key, password, port, host-key policy, known-hosts
  std::string concurrency = "1n";  // an integer, or "Kn" = K x number of nodes
  double time_limit = 10;          // seconds of main phase
  double rate = 0;                 // client ops per second in total; 0 = unlimited
  uint64_t seed = 0;
  std::string target = "memory";
  Json target_options = Json::object();
  std::string workload = "register";
  Json workload_options = Json::object();
  std::vector<std::string> nemesis;  // fault kinds; empty = none
  double nemesis_interval = 10;      // seconds between fault starts
  std::string nemesis_schedule;      // a scripted schedule file, instead of the random one
  Json nemesis_options = Json::object();
  double op_timeout = 10;  // seconds before a client op counts as info
  std::string store = "store";

  // The concurrency as a number of client workers.
  int workers() const;
};

// Reads a spec; unknown fields and wrong types are errors naming the field (Error kBadInput).
// Missing fields keep their defaults; a missing seed is drawn at random.
[[nodiscard]] Spec parse_spec(const Json& j, const std::string& source);
// The spec as JSON, with any ssh password redacted.
Json to_json(const Spec& spec);

}  // namespace faultline
