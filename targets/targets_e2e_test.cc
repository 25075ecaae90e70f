// End-to-end tests of the etcd and spec-file targets: real etcd and Redis clusters on a private
// 3-node sandbox (name tg, subnet 10.79.0.0/24), driven through the runner. Needs root.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "harness/control/fan_out.h"
#include "harness/control/remote.h"
#include "harness/core/error.h"
#include "harness/core/history_io.h"
#include "harness/run/runner.h"
#include "harness/sandbox/testing/private_sandbox.h"
#include "results/store.h"
#include "workloads/workload.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

const PrivateSandbox& sandbox = add_private_sandbox("tg", "10.79.0.0/24", 3);

const fs::path kStore = fs::temp_directory_path() / "faultline-targets-e2e";

Spec spec_for(const std::string& target, const std::string& workload, Json target_options = Json::object()) {
  Spec s;
  s.name = workload + "-" + target;
  s.sandbox = sandbox.options().name;
  s.target = target;
  s.target_options = std::move(target_options);
  s.workload = workload;
  s.concurrency = "2n";
  s.time_limit = 8;
  s.seed = 42;
  s.op_timeout = 5;
  s.store = kStore.string();
  return s;
}

RunOutcome run(const Spec& spec) {
  std::atomic<bool> interrupted{false};
  return run_test(spec, interrupted);
}

Json results_of(const RunOutcome& out) { return read_json_file(out.run_dir / "results.json"); }

// The processes on every node whose command line matches `pattern` (pgrep -af), "" when none.
// Patterns are written like "[e]tcd" so pgrep's own shell does not match.
std::string processes_matching(const std::string& pattern) {
  auto sessions = open_sessions(sandbox.nodes());
  std::string found;
  for (auto& s : sessions) {
    std::string out = s->exec({"pgrep", "-af", pattern}).out;
    if (!out.empty()) found += s->node() + ": " + out;
  }
  return found;
}

fs::path write_spec(const std::string& name, const std::string& text) {
  fs::create_directories(kStore);
  fs::path p = kStore / (name + ".json");
  std::ofstream(p) << text;
  return p;
}

// The history's nemesis completions of `f` that report no error: the fault really happened.
int faults_done(const RunOutcome& out, const std::string& f) {
  int n = 0;
  for (const Op& op : read_history_file(out.run_dir / "history.jsonl"))
    n += op.is_nemesis() && !op.is_invoke() && op.f == f && op.error.is_null();
  return n;
}

// How many node offsets the run's clock ops measured (null where a node had no target process).
int clock_offsets_measured(const RunOutcome& out) {
  int measured = 0;
  for (const Op& op : read_history_file(out.run_dir / "history.jsonl"))
    if (op.is_nemesis() && !op.is_invoke() && op.value.is_object() && op.value.contains("clock-offsets"))
      for (const auto& [node, offset] : op.value["clock-offsets"].items()) measured += offset.is_number();
  return measured;
}

// Client completions of the history that succeeded.
int64_t ok_ops(const RunOutcome& out) { return results_of(out)["checkers"]["stats"].value("ok-count", int64_t{0}); }

TEST(Etcd, RegisterWithLinearizableReadsUnderPartitionsAndKillsIsValid) {
  Spec spec = spec_for("etcd", "cas-register");
  spec.nemesis = {"partition", "kill"};
  spec.nemesis_interval = 2;
  RunOutcome out = run(spec);
  EXPECT_EQ(out.exit_code, 0) << out.summary << "\n" << results_of(out).dump(2);
  EXPECT_GE(faults_done(out, "start-partition"), 1);  // the faults really happened
  EXPECT_GE(faults_done(out, "kill"), 1);
  EXPECT_GT(ok_ops(out), 100);
  EXPECT_TRUE(fs::exists(out.run_dir / "nodes" / "n1" / "etcd.log"));
  EXPECT_EQ(processes_matching("[e]tcd --name"), "");
}

// n3 is cut off from n1 and n2 while they keep taking writes; n3 still answers serializable reads
// from its own state, so its clients read values the majority has long overwritten.
TEST(Etcd, SerializableReadsOnAMinorityNodeAreStale) {
  fs::path schedule = write_spec("isolate-n3", R"([
      {"at": 1, "f": "start-partition", "value": {"grudge": {"n3": ["n1", "n2"], "n1": ["n3"], "n2": ["n3"]}}},
      {"at": 7, "f": "stop-partition", "value": null}])");
  Spec spec = spec_for("etcd", "register", {{"read-consistency", "serializable"}});
  spec.name = "stale-read-etcd";
  spec.time_limit = 9;
  spec.nemesis_schedule = schedule.string();
  spec.workload_options = {{"ops-per-key", 100000}};
  RunOutcome out = run(spec);
  EXPECT_EQ(out.exit_code, 1) << out.summary << "\n" << results_of(out).dump(2);
  EXPECT_NE(out.summary.find("read"), std::string::npos) << out.summary;
}

TEST(Etcd, ListAppendIsValid) {
  auto names = workload_names();
  if (std::find(names.begin(), names.end(), "list-append") == names.end())
    GTEST_SKIP() << "no list-append workload in this build";
  RunOutcome out = run(spec_for("etcd", "list-append"));
  EXPECT_EQ(out.exit_code, 0) << out.summary << "\n" << results_of(out).dump(2);
}

const std::string kRedisSpec = std::string(FAULTLINE_SOURCE_DIR) + "/targets/redis/redis.json";
const std::string kRedisSchedule = std::string(FAULTLINE_SOURCE_DIR) + "/targets/redis/stale-replica.json";

// Clock skew reaches etcd (Go, vDSO) through the ptrace backend; with partitions, kills, pauses and
// loss besides, every run reaches a verdict and every clock op records what etcd's processes observe.
TEST(Etcd, EveryFaultWithClockSkewRunsToAVerdictWithMeasuredOffsets) {
  for (uint64_t seed : {11, 12, 13, 14, 15}) {
    Spec spec = spec_for("etcd", "register");
    spec.seed = seed;
    spec.time_limit = 30;
    spec.nemesis = {"partition", "kill", "pause", "clock", "loss"};
    spec.nemesis_interval = 3;
    spec.rate = 100;
    RunOutcome out = run(spec);
    Json results = results_of(out);
    EXPECT_TRUE(out.exit_code == 0 || out.exit_code == 1) << seed << ": " << out.summary << "\n"
                                                          << results.value("error", "");
    EXPECT_FALSE(results.contains("error")) << seed << ": " << results.value("error", "");
    EXPECT_GT(clock_offsets_measured(out), 0) << seed << ": no clock op measured an offset";
  }
  EXPECT_EQ(processes_matching("[e]tcd --name"), "");
}

// Replication to n2 and n3 is cut while n1 keeps taking writes; the replicas go on serving reads of
// what they had: asynchronous replication is not linearizable, and every run shows it.
TEST(Redis, ReplicaReadsAreStaleEveryTime) {
  for (uint64_t seed : {1, 2, 3}) {
    Spec spec = spec_for("spec", "register", {{"file", kRedisSpec}});
    spec.seed = seed;
    spec.time_limit = 8;
    spec.rate = 200;
    spec.nemesis_schedule = kRedisSchedule;
    spec.workload_options = {{"ops-per-key", 100000}};
    RunOutcome out = run(spec);
    Json results = results_of(out);
    EXPECT_EQ(out.exit_code, 1) << out.summary << "\n" << results.dump(2);
    EXPECT_FALSE(results.contains("error")) << results.dump(2);
    EXPECT_NE(out.summary.find("stale read"), std::string::npos) << out.summary;
    EXPECT_EQ(faults_done(out, "start-partition"), 1);
    EXPECT_TRUE(fs::exists(out.run_dir / "nodes" / "n2" / "redis.log"));
  }
  EXPECT_EQ(processes_matching("[r]edis-server"), "");
}

// The Redis example under clock skew and kills: redis-server is a libc program, and the default
// (ptrace) clock backend reaches it across restarts; the run ends in a verdict about Redis.
TEST(Redis, ClockSkewAndKillsRunToAVerdict) {
  Spec spec = spec_for("spec", "register", {{"file", kRedisSpec}});
  spec.time_limit = 10;
  spec.rate = 100;
  spec.nemesis = {"clock", "kill"};
  spec.nemesis_interval = 1.5;
  RunOutcome out = run(spec);
  Json results = results_of(out);
  EXPECT_TRUE(out.exit_code == 0 || out.exit_code == 1) << out.summary << "\n" << results.value("error", "");
  EXPECT_FALSE(results.contains("error")) << results.value("error", "");
  EXPECT_GT(ok_ops(out), 10);
  EXPECT_GE(faults_done(out, "kill"), 1);
  int bumps_seen_by_redis = 0;  // a bumped node's redis-server read the bumped clock
  for (const Op& op : read_history_file(out.run_dir / "history.jsonl")) {
    if (!op.is_nemesis() || op.is_invoke() || op.f != "bump-clock" || !op.value.contains("clock-observed")) continue;
    for (const auto& node : op.value["nodes"]) {
      Json observed = op.value["clock-observed"].value(node.get<std::string>(), Json::object());
      for (const auto& [process, offset] : observed.items())
        bumps_seen_by_redis += process.find("redis-server") != std::string::npos && offset.is_number() &&
                               std::abs(offset.get<double>() - op.value["delta"].get<double>()) < 0.05;
    }
  }
  EXPECT_GT(bumps_seen_by_redis, 0) << "no redis-server observed a bump";
  EXPECT_EQ(processes_matching("[r]edis-server"), "");
}

// Every workload against every built-in target either runs to a verdict about the system (with
// ops that succeeded) or is refused before a node is touched.
TEST(Matrix, EveryWorkloadRunsOrIsRefusedAtOnce) {
  for (const auto& workload : workload_names()) {
    Spec memory = spec_for("memory", workload);
    memory.time_limit = 1;
    memory.sandbox.clear();
    try {
      RunOutcome out = run(memory);
      EXPECT_EQ(out.exit_code, 0) << workload << " on memory: " << out.summary;
      EXPECT_GT(ok_ops(out), 0) << workload << " on memory";
    } catch (const Error& e) {  // Maelstrom's own workloads are for the maelstrom target
      EXPECT_EQ(e.code(), ErrorCode::kBadInput) << e.what();
      EXPECT_NE(std::string(e.what()).find("memory does not speak"), std::string::npos) << e.what();
    }

    std::string vocabulary = workload_vocabulary(workload);
    if (vocabulary == "register" || vocabulary == "cas-register") continue;  // Redis runs them above
    auto start = std::chrono::steady_clock::now();
    try {
      run(spec_for("spec", workload, {{"file", kRedisSpec}}));
      ADD_FAILURE() << workload << " on redis was not refused";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadInput);
      EXPECT_NE(std::string(e.what()).find("redis does not speak"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << "refused only after starting";
  }
}

// etcd speaks every workload; each runs under partitions and kills that really happened, to a
// verdict with successful ops. A dequeue whose reply was lost makes its element look lost to the
// queue checkers, so queue may be invalid; every other workload is valid on etcd.
TEST(Matrix, EtcdRunsEveryOtherWorkloadUnderPartitionsAndKills) {
  for (const char* workload :
       {"counter", "unique-ids", "queue", "set", "set-full", "bank", "rw-register", "long-fork"}) {
    Spec spec = spec_for("etcd", workload);
    spec.time_limit = 6;
    spec.nemesis = {"partition", "kill"};
    spec.nemesis_interval = 1.5;
    spec.rate = 100;
    RunOutcome out = run(spec);
    Json results = results_of(out);
    EXPECT_FALSE(results.contains("error")) << workload << ": " << results.dump(2);
    EXPECT_EQ(results["checkers"]["stats"]["valid"], "valid")
        << workload << ": " << results["checkers"]["stats"].dump(2);
    EXPECT_GT(ok_ops(out), 10) << workload;
    EXPECT_GE(faults_done(out, "start-partition") + faults_done(out, "kill"), 1) << workload;
    if (std::string(workload) != "queue")
      EXPECT_EQ(out.exit_code, 0) << workload << ": " << out.summary;
    else
      EXPECT_TRUE(out.exit_code == 0 || out.exit_code == 1) << out.summary;
  }
  EXPECT_EQ(processes_matching("[e]tcd --name"), "");
}

const std::string kClient = R"("speaks": ["register"], "client": {"command": ["/bin/cat"]})";

TEST(BadSpec, MissingStartIsABadInputBeforeAnythingStarts) {
  fs::path p = write_spec("no-start", "{" + kClient + "}");
  try {
    run(spec_for("spec", "register", {{"file", p.string()}}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("missing field \"start\""), std::string::npos) << e.what();
  }
}

TEST(BadSpec, UnknownPlaceholderIsNamed) {
  fs::path p = write_spec("typo", R"({"start": "sleep 1000 --port {prot}", )" + kClient + "}");
  try {
    run(spec_for("spec", "register", {{"file", p.string()}}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("unknown placeholder {prot} in field \"start\""), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(processes_matching("[s]leep 1000"), "");
}

TEST(BadSpec, ReadinessNeverReachedIsAnErrorAndTearsDown) {
  fs::path p =
      write_spec("never-ready", R"({"start": "sleep 1000", "ready": {"tcp": 9}, "ready-timeout": 2, )" + kClient + "}");
  RunOutcome out = run(spec_for("spec", "register", {{"file", p.string()}}));
  EXPECT_EQ(out.exit_code, 255);
  std::string error = results_of(out).value("error", "");
  EXPECT_NE(error.find("was not ready within 2"), std::string::npos) << error;
  EXPECT_NE(error.find(":9"), std::string::npos) << error;
  EXPECT_EQ(processes_matching("[s]leep 1000"), "");
}

TEST(BadSpec, GarbageClientIsAnErrorAndTearsDown) {
  fs::path p = write_spec("garbage", R"({"start": "sleep 1000", "speaks": ["register"],
      "client": {"command": ["/bin/sh", "-c", "while read -r l; do echo garbage; done"]}})");
  Spec spec = spec_for("spec", "register", {{"file", p.string()}});
  spec.time_limit = 3;
  RunOutcome out = run(spec);
  EXPECT_EQ(out.exit_code, 255);
  EXPECT_EQ(results_of(out)["valid"], "unknown");  // a harness failure, never a verdict on the system
  std::string error = results_of(out).value("error", "");
  EXPECT_NE(error.find("never gave a valid response"), std::string::npos) << error;
  EXPECT_NE(error.find("garbage"), std::string::npos) << error;
  EXPECT_EQ(processes_matching("[s]leep 1000"), "");
}

// A client that never answers: restarts back off (a few, not hundreds), the run is unknown, and the
// error quotes the client's last stderr line.
TEST(BadSpec, SilentClientBacksOffAndTheRunIsUnknown) {
  fs::path p = write_spec("silent", R"({"start": "sleep 1000", "speaks": ["register"],
      "client": {"command": ["/bin/sh", "-c", "echo waiting for a lock that never comes >&2; exec sleep 1000"]}})");
  Spec spec = spec_for("spec", "register", {{"file", p.string()}});
  spec.time_limit = 4;
  spec.op_timeout = 0.5;
  RunOutcome out = run(spec);
  Json results = results_of(out);
  EXPECT_EQ(results["valid"], "unknown") << results.dump(2);
  EXPECT_EQ(out.exit_code, 255);
  std::string error = results.value("error", "");
  EXPECT_NE(error.find("waiting for a lock that never comes"), std::string::npos) << error;
  int started = 0;
  for (const auto& e : fs::directory_iterator(out.run_dir / "clients")) started += e.path().extension() == ".stderr";
  EXPECT_LT(started, 60) << "clients restarted in a tight loop";
  EXPECT_GT(started, 3);
  EXPECT_EQ(processes_matching("[s]leep 1000"), "");
}

}  // namespace
}  // namespace faultline
