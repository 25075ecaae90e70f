// Every workload end to end: the real `faultline test` binary against the memory target, once
// healthy (valid, exit 0) and once with an injected bug its checkers must catch (invalid, exit 1,
// with evidence in results.json that names the offending ops of history.jsonl).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>

#include "harness/core/history_io.h"
#include "harness/core/json.h"
#include "results/store.h"

namespace faultline {
namespace {
namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  Json results;
  History history;
  std::string output;
};

Outcome faultline_test(const std::string& workload, const std::string& extra_flags) {
  fs::path store = fs::temp_directory_path() / ("faultline-workloads-e2e-" + std::to_string(getpid()) + "-" + workload);
  fs::remove_all(store);
  fs::path out = store.string() + ".out";
  std::string command = std::string(FAULTLINE_BINARY) + " test --target memory --workload " + workload +
                        " --time-limit 0.5 --seed 42 --store " + store.string() + " " + extra_flags + " > " +
                        out.string() + " 2>&1";
  int status = std::system(command.c_str());
  Outcome o;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream text(out);
  o.output.assign(std::istreambuf_iterator<char>(text), {});
  if (fs::exists(store / "latest" / "results.json")) {
    o.results = read_json_file(store / "latest" / "results.json");
    o.history = read_history_file(store / "latest" / "history.jsonl");
  }
  fs::remove_all(store);
  fs::remove(out);
  return o;
}

// Every op reference under `evidence` (an object with index and f); fails the test for one whose
// index does not name an op of `history` with that f and process.
void collect_ops(const Json& evidence, const History& history, std::vector<const Op*>& ops) {
  if (evidence.is_object() && evidence.contains("index") && evidence.contains("f") &&
      evidence["index"].is_number_integer()) {
    auto i = evidence["index"].get<size_t>();
    ASSERT_LT(i, history.size()) << evidence;
    const Op& op = history[i];
    EXPECT_EQ(evidence["f"], op.f) << evidence;
    if (evidence.contains("process")) {
      EXPECT_EQ(evidence["process"], op.process) << evidence;
    }
    ops.push_back(&op);
  }
  if (evidence.is_structured())
    for (const Json& child : evidence) collect_ops(child, history, ops);
}

struct Case {
  std::string workload;
  std::string bug;          // the memory target's injected bug
  std::string evidence;     // JSON pointer into results.json where the offending ops are
  std::set<std::string> f;  // what the offending ops may be (it varies with thread timing)
  std::string flags = "";   // more flags for this run
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.workload << " with " << c.bug << " " << c.flags; }

class WorkloadEndToEnd : public testing::TestWithParam<Case> {};

TEST_P(WorkloadEndToEnd, HealthyIsValid) {
  Outcome o = faultline_test(GetParam().workload, GetParam().flags);
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(o.results["valid"], "valid") << o.results.dump(1).substr(0, 4000);
  EXPECT_GT(o.history.size(), 100u);
  EXPECT_TRUE(o.results["checkers"].contains("perf") && o.results["checkers"].contains("stats"));
}

TEST_P(WorkloadEndToEnd, InjectedBugIsCaughtWithEvidence) {
  const Case& c = GetParam();
  Outcome o = faultline_test(c.workload, "--target-opt bugs='[\"" + c.bug + "\"]' " + c.flags);
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_EQ(o.results["valid"], "invalid");
  Json::json_pointer where(c.evidence);
  ASSERT_TRUE(o.results.contains(where)) << c.evidence << " missing in " << o.results.dump(1).substr(0, 4000);
  std::vector<const Op*> ops;
  collect_ops(o.results[where], o.history, ops);
  ASSERT_FALSE(ops.empty()) << o.results[where].dump().substr(0, 2000);
  EXPECT_TRUE(std::any_of(ops.begin(), ops.end(), [&](const Op* op) { return c.f.count(op->f) > 0; }))
      << o.results[where].dump().substr(0, 2000);
}

INSTANTIATE_TEST_SUITE_P(
    All, WorkloadEndToEnd,
    testing::Values(
        Case{"register", "stale-read", "/checkers/linearizable/op", {"read"}},
        Case{"cas-register", "lost-write", "/checkers/linearizable/op", {"read", "cas"}},
        Case{"list-append", "non-atomic-txn", "/checkers/list-append/anomalies", {"txn"}},
        Case{"rw-register", "stale-read", "/checkers/rw-register/anomalies", {"txn"}},
        Case{"set", "lost-add", "/checkers/set/lost", {"add"}},
        Case{"set-full", "lost-add", "/checkers/set-full/lost", {"add"}},
        Case{"set-full", "stale-read", "/checkers/set-full/worst-stale", {"read"}, "--workload-opt linearizable=true"},
        Case{"counter", "lost-add", "/checkers/counter/errors", {"read"}},
        Case{"bank", "bad-transfer", "/checkers/bank/first-error", {"read"}},
        Case{"queue", "lost-add", "/checkers/total-queue/lost", {"enqueue"}},
        Case{"unique-ids", "duplicate-id", "/checkers/unique-ids/first-duplicate", {"generate"}},
        Case{"long-fork", "stale-read", "/checkers/long-fork/first-fork", {"txn"}}),
    [](const testing::TestParamInfo<Case>& info) {
      std::string name = info.param.workload + "_" + info.param.bug;
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

}  // namespace
}  // namespace faultline
