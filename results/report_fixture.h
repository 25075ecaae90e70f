// Synthetic run directories for the report's tests and benchmark: a seeded history of client ops
// with partitions, kills and clock bumps, a results.json whose checker names some ops, a checker
// SVG and node logs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace faultline {

struct SyntheticRun {
  size_t ops = 1000;  // client operations, each an invocation and a completion
  int concurrency = 5;
  uint64_t seed = 1;
  // Written into a client op the checker names and into a nemesis op, to test escaping.
  std::string hostile_value = "<script>document.title='owned'</script>";
};

struct SyntheticFacts {
  int64_t hostile_op_index = -1;  // the invocation whose value is hostile_value
  size_t history_ops = 0;         // lines in history.jsonl
};

// Creates dir and writes spec.json, history.jsonl, results.json, checker/anomaly.svg and
// nodes/n{1,2,3}/*.log into it. Same run in, same files out.
SyntheticFacts write_synthetic_run(const std::filesystem::path& dir, const SyntheticRun& run);

}  // namespace faultline
