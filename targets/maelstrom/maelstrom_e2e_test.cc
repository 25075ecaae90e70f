// End-to-end tests of the maelstrom target: the Python example nodes run unchanged on a private
// 3-node sandbox (name ms, subnet 10.81.0.0/24) under the relay, driven through the runner. Each
// test asserts the verdict, and that messages really crossed the node network (messages.jsonl).
// Needs root.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "harness/core/error.h"
#include "harness/run/runner.h"
#include "harness/sandbox/sandbox.h"
#include "results/store.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

SandboxOptions test_sandbox() {
  SandboxOptions options;
  options.name = "ms";
  options.nodes = 3;
  options.subnet = "10.81.0.0/24";
  return options;
}

class SandboxEnvironment : public testing::Environment {
 public:
  void SetUp() override { sandbox_up(test_sandbox()); }
  void TearDown() override { sandbox_down(test_sandbox()); }
};

const testing::Environment* const environment = testing::AddGlobalTestEnvironment(new SandboxEnvironment);

const fs::path kStore = fs::temp_directory_path() / "faultline-maelstrom-e2e";

std::string example(const std::string& name) {
  return std::string(FAULTLINE_SOURCE_DIR) + "/targets/maelstrom/examples/" + name;
}

Spec spec_for(const std::string& workload, const std::string& bin) {
  Spec s;
  s.name = workload + "-" + fs::path(bin).stem().string();
  s.sandbox = "ms";
  s.target = "maelstrom";
  s.target_options = {{"bin", example(bin)}, {"relay", FAULTLINE_RELAY}};
  s.workload = workload;
  s.time_limit = 8;
  s.rate = 30;
  s.seed = 16;
  s.op_timeout = 2;
  s.store = kStore.string();
  return s;
}

fs::path write_schedule(const std::string& name, const std::string& text) {
  fs::create_directories(kStore);
  fs::path p = kStore / (name + ".json");
  std::ofstream(p) << text;
  return p;
}

// n3 cut off from n1 and n2 from 2 s to 5 s.
std::string isolate_n3() {
  return write_schedule("isolate-n3", R"([
      {"at": 2, "f": "start-partition", "value": {"grudge": {"n3": ["n1", "n2"], "n1": ["n3"], "n2": ["n3"]}}},
      {"at": 5, "f": "stop-partition", "value": null}])")
      .string();
}

RunOutcome run(const Spec& spec) {
  std::atomic<bool> interrupted{false};
  return run_test(spec, interrupted);
}

Json results_of(const RunOutcome& out) { return read_json_file(out.run_dir / "results.json"); }

std::vector<Json> messages_of(const RunOutcome& out, const std::string& node) {
  std::ifstream in(out.run_dir / "nodes" / node / "messages.jsonl");
  std::vector<Json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
  return lines;
}

int64_t count(const std::vector<Json>& lines, const std::string& event, const std::string& src = "",
              const std::string& type = "") {
  int64_t n = 0;
  for (const Json& l : lines)
    if (l["event"] == event && (src.empty() || l["msg"]["src"] == src) &&
        (type.empty() || l["msg"]["body"]["type"] == type))
      ++n;
  return n;
}

// The ok count of the stats checker: a valid run must have done real work.
int64_t ok_count(const Json& results) { return results["checkers"]["stats"]["ok-count"].get<int64_t>(); }

TEST(Maelstrom, EchoIsValidAndKilledNodeIsRestartedWithInit) {
  Spec spec = spec_for("echo", "echo.py");
  spec.nemesis_schedule = write_schedule("kill-n2", R"([
      {"at": 2, "f": "kill", "value": {"nodes": ["n2"]}},
      {"at": 4, "f": "start", "value": null}])")
                              .string();
  RunOutcome out = run(spec);
  Json results = results_of(out);
  ASSERT_EQ(out.exit_code, 0) << out.summary << "\n" << results.dump(2);
  EXPECT_GT(ok_count(results), 50) << results.dump(2);
  auto n2 = messages_of(out, "n2");
  EXPECT_EQ(count(n2, "deliver", "c0", "init"), 2);  // the restart sent init again
  EXPECT_GT(count(n2, "deliver", "", "echo"), 10);
  EXPECT_TRUE(fs::exists(out.run_dir / "nodes" / "n2" / "node.log"));
}

// Nodes do not see the controller's /tmp: the program is copied to them with the files beside it,
// which the Python examples import (node.py).
TEST(Maelstrom, AProgramTheNodesCannotSeeIsCopiedWithItsSiblings) {
  fs::path dir = fs::temp_directory_path() / "faultline-maelstrom-program";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* file : {"echo.py", "node.py"}) fs::copy_file(example(file), dir / file);
  Spec spec = spec_for("echo", "echo.py");
  spec.target_options["bin"] = (dir / "echo.py").string();
  spec.time_limit = 3;
  RunOutcome out = run(spec);
  Json results = results_of(out);
  EXPECT_EQ(out.exit_code, 0) << out.summary << "\n" << results.dump(2);
  EXPECT_GT(ok_count(results), 20) << results.dump(2);
  fs::remove_all(dir);
}

TEST(Maelstrom, GossipBroadcastIsValidUnderPartitionWhichVisiblyCutsTheLinks) {
  Spec spec = spec_for("broadcast", "broadcast.py");
  spec.nemesis_schedule = isolate_n3();
  RunOutcome out = run(spec);
  Json results = results_of(out);
  ASSERT_EQ(out.exit_code, 0) << out.summary << "\n" << results.dump(2);
  EXPECT_GT(results["checkers"]["broadcast"]["acknowledged-count"].get<int64_t>(), 30) << results.dump(2);
  EXPECT_EQ(results["checkers"]["broadcast"]["nodes-read"], 3);
  // The relays could not carry gossip to n3 during the partition, and n3 received nothing from n1
  // or n2 while both were cut off from it (from the later of their first drops to n3 to the earlier
  // of their last), but did before and after. The nodes' rules are set one after the other, and a
  // message already on its way when the last was set may still land in its first moments.
  auto drops_to_n3 = [&](const std::string& node) {
    std::pair<int64_t, int64_t> window{INT64_MAX, 0};
    for (const Json& l : messages_of(out, node))
      if (l["event"] == "drop" && l["msg"]["dest"] == "n3") {
        window.first = std::min(window.first, l["time"].get<int64_t>());
        window.second = std::max(window.second, l["time"].get<int64_t>());
      }
    return window;
  };
  auto [first_drop, last_drop] = drops_to_n3("n1");
  ASSERT_LT(first_drop, last_drop) << "n1 never dropped a message to n3";
  if (auto [first, last] = drops_to_n3("n2"); first < last) {
    first_drop = std::max(first_drop, first);
    last_drop = std::min(last_drop, last);
  }
  constexpr int64_t kInFlight = 100'000'000;  // ns
  int64_t before = 0, during = 0, after = 0, previous = 0, longest_gap = 0;
  for (const Json& l : messages_of(out, "n3")) {
    if (l["event"] != "recv" || (l["msg"]["src"] != "n1" && l["msg"]["src"] != "n2")) continue;
    int64_t t = l["time"].get<int64_t>();
    if (t < first_drop)
      ++before;
    else if (t > last_drop)
      ++after;
    else if (t > first_drop + kInFlight)
      ++during;
    if (previous) longest_gap = std::max(longest_gap, t - previous);
    previous = t;
  }
  EXPECT_GT(before, 0);
  EXPECT_EQ(during, 0);
  EXPECT_GT(after, 0);
  // Gossip reaches n3 every 0.3 s, except while the 3 s partition cut it off.
  EXPECT_GT(longest_gap, 2'000'000'000);
  EXPECT_LT(longest_gap, 6'000'000'000);
  // report.html draws the message flow of the window with the drops: arrows and red crosses.
  std::ifstream in(out.run_dir / "report.html");
  std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(report.find("id=\"messages-section\""), std::string::npos);
  EXPECT_NE(report.find("the window with the most drops"), std::string::npos);
  EXPECT_NE(report.find("<g stroke=\"#c00\"><title>n1 → n3"), std::string::npos);
  EXPECT_NE(report.find("marker-end=\"url(#mf-head)\""), std::string::npos);
}

// Maelstrom's --topology: with a line n1-n2-n3, n1 and n3 never talk, yet every message reaches
// every node through n2; with a tree rooted at n1, n2 and n3 never talk.
TEST(Maelstrom, GossipBroadcastFollowsTheLineAndTreeTopologies) {
  for (const std::string kind : {"line", "tree"}) {
    Spec spec = spec_for("broadcast", "broadcast.py");
    spec.name += "-" + kind;
    spec.target_options["topology"] = kind;
    spec.workload_options = {{"settle-s", 2}};
    spec.time_limit = 4;
    RunOutcome out = run(spec);
    Json results = results_of(out);
    EXPECT_EQ(out.exit_code, 0) << kind << " " << out.summary << "\n" << results.dump(2);
    EXPECT_GT(results["checkers"]["broadcast"]["acknowledged-count"].get<int64_t>(), 20) << results.dump(2);
    auto n1 = messages_of(out, "n1"), n2 = messages_of(out, "n2"), n3 = messages_of(out, "n3");
    if (kind == "line") {
      EXPECT_EQ(count(n3, "recv", "n1"), 0) << kind;
      EXPECT_GT(count(n3, "recv", "n2"), 5) << kind;
      EXPECT_GT(count(n1, "recv", "n2"), 5) << kind;
    } else {
      EXPECT_EQ(count(n3, "recv", "n2"), 0) << kind;
      EXPECT_EQ(count(n2, "recv", "n3"), 0) << kind;
      EXPECT_GT(count(n3, "recv", "n1"), 5) << kind;
    }
  }
}

TEST(Maelstrom, NeverRetryBroadcastIsValidWithoutFaults) {
  RunOutcome out = run(spec_for("broadcast", "broadcast_noretry.py"));
  Json results = results_of(out);
  EXPECT_EQ(out.exit_code, 0) << out.summary << "\n" << results.dump(2);
  EXPECT_GT(count(messages_of(out, "n2"), "recv", "n1", "forward"), 10);
}

TEST(Maelstrom, NeverRetryBroadcastIsInvalidUnderPartition) {
  Spec spec = spec_for("broadcast", "broadcast_noretry.py");
  spec.nemesis_schedule = isolate_n3();
  RunOutcome out = run(spec);
  Json results = results_of(out);
  EXPECT_EQ(out.exit_code, 1) << out.summary << "\n" << results.dump(2);
  EXPECT_GT(results["checkers"]["broadcast"]["lost-count"].get<int64_t>(), 0) << results.dump(2);
}

TEST(Maelstrom, LinKvForwardedToTheServiceIsValidUnderPartition) {
  Spec spec = spec_for("lin-kv", "lin_kv_proxy.py");
  spec.nemesis_schedule = isolate_n3();
  RunOutcome out = run(spec);
  Json results = results_of(out);
  EXPECT_EQ(out.exit_code, 0) << out.summary << "\n" << results.dump(2);
  EXPECT_GT(ok_count(results), 50) << results.dump(2);
  // n2's requests reached the service on n1 over the node network.
  EXPECT_GT(count(messages_of(out, "n1"), "recv", "n2", "cas") + count(messages_of(out, "n1"), "recv", "n2", "write"),
            5);
}

TEST(Maelstrom, LinKvWithCachedReadsIsInvalidUnderPartition) {
  Spec spec = spec_for("lin-kv", "lin_kv_cache.py");
  spec.nemesis_schedule = isolate_n3();
  RunOutcome out = run(spec);
  Json results = results_of(out);
  EXPECT_EQ(out.exit_code, 1) << out.summary << "\n" << results.dump(2);
}

// The service's documented misbehaviour: the same correct proxy becomes invalid.
TEST(Maelstrom, LinKvProxyOverAStaleReadingServiceIsInvalid) {
  Spec spec = spec_for("lin-kv", "lin_kv_proxy.py");
  spec.target_options["service-fault"] = "stale-reads";
  spec.time_limit = 6;
  RunOutcome out = run(spec);
  Json results = results_of(out);
  EXPECT_EQ(out.exit_code, 1) << out.summary << "\n" << results.dump(2);
  EXPECT_NE(out.summary.find("cannot be linearized"), std::string::npos) << out.summary;
}

TEST(Maelstrom, TxnThroughOneNodeIsValidForBothTxnWorkloadsAndNodeLocalTxnIsInvalid) {
  Spec spec = spec_for("txn-list-append", "txn_leader.py");
  spec.nemesis_schedule = isolate_n3();
  spec.time_limit = 6;
  RunOutcome leader = run(spec);
  Json results = results_of(leader);
  EXPECT_EQ(leader.exit_code, 0) << leader.summary << "\n" << results.dump(2);
  EXPECT_GT(ok_count(results), 50) << results.dump(2);
  EXPECT_GT(count(messages_of(leader, "n1"), "recv", "n2", "txn"), 10);
  Spec local = spec_for("txn-list-append", "txn_local.py");
  local.time_limit = 5;
  RunOutcome out = run(local);
  EXPECT_EQ(out.exit_code, 1) << out.summary << "\n" << results_of(out).dump(2);
  // The same node serves txn-rw-register's ["w", k, v] micro-ops.
  Spec rw = spec_for("txn-rw-register", "txn_leader.py");
  rw.time_limit = 4;
  RunOutcome registers = run(rw);
  results = results_of(registers);
  EXPECT_EQ(registers.exit_code, 0) << registers.summary << "\n" << results.dump(2);
  EXPECT_GT(ok_count(results), 30) << results.dump(2);
}

TEST(Maelstrom, PnCounterCrdtAndUniqueIdsAreValid) {
  RunOutcome counter = run(spec_for("pn-counter", "g_counter.py"));
  Json results = results_of(counter);
  EXPECT_EQ(counter.exit_code, 0) << counter.summary << "\n" << results.dump(2);
  EXPECT_EQ(results["checkers"]["eventual-counter"]["nodes-read"], 3) << results.dump(2);
  EXPECT_GT(count(messages_of(counter, "n3"), "recv", "n1", "state"), 5);
  RunOutcome ids = run(spec_for("unique-ids", "unique_ids.py"));
  results = results_of(ids);
  EXPECT_EQ(ids.exit_code, 0) << ids.summary << "\n" << results.dump(2);
  EXPECT_GT(results["checkers"]["unique-ids"]["acknowledged-count"].get<int64_t>(), 50) << results.dump(2);
}

TEST(Maelstrom, KafkaThroughOneNodeIsValidUnderPartitionAndNodeLocalLogsAreInvalid) {
  Spec spec = spec_for("kafka", "kafka.py");
  spec.nemesis_schedule = isolate_n3();
  spec.time_limit = 6;
  spec.workload_options = {{"settle-s", 1}};
  RunOutcome out = run(spec);
  Json results = results_of(out);
  EXPECT_EQ(out.exit_code, 0) << out.summary << "\n" << results.dump(2);
  const Json& kafka = results["checkers"]["kafka"];
  EXPECT_GT(kafka["acknowledged-count"].get<int64_t>(), 30) << results.dump(2);
  EXPECT_GT(kafka["poll-count"].get<int64_t>(), 20) << results.dump(2);
  // n2's sends reached the log on n1 over the node network.
  EXPECT_GT(count(messages_of(out, "n1"), "recv", "n2", "send"), 10);

  Spec local = spec_for("kafka", "kafka.py");
  local.name += "-local";
  local.target_options["args"] = "local";
  local.time_limit = 4;
  local.workload_options = {{"settle-s", 1}};
  RunOutcome bad = run(local);
  results = results_of(bad);
  EXPECT_EQ(bad.exit_code, 1) << bad.summary << "\n" << results.dump(2);
  EXPECT_GT(results["checkers"]["kafka"]["lost-count"].get<int64_t>() +
                results["checkers"]["kafka"]["inconsistent-count"].get<int64_t>(),
            0)
      << results.dump(2);
}

TEST(Maelstrom, GSetUnderPartitionAndGCounterCrdtsAreValid) {
  Spec set = spec_for("g-set", "g_set.py");
  set.nemesis_schedule = isolate_n3();
  set.time_limit = 6;
  RunOutcome out = run(set);
  Json results = results_of(out);
  EXPECT_EQ(out.exit_code, 0) << out.summary << "\n" << results.dump(2);
  EXPECT_GT(results["checkers"]["set"]["acknowledged-count"].get<int64_t>(), 50) << results.dump(2);
  EXPECT_GT(count(messages_of(out, "n3"), "recv", "n2", "replicate"), 5);
  Spec counter = spec_for("g-counter", "g_counter.py");
  counter.time_limit = 4;
  out = run(counter);
  results = results_of(out);
  EXPECT_EQ(out.exit_code, 0) << out.summary << "\n" << results.dump(2);
  EXPECT_EQ(results["checkers"]["eventual-counter"]["nodes-read"], 3) << results.dump(2);
}

// A node program that does not start: the run is unknown (exit 2), and one line names the node and
// quotes the program's stderr.
void expect_start_failure(const RunOutcome& out, const std::string& problem, const std::string& stderr_text) {
  Json results = results_of(out);
  EXPECT_EQ(out.exit_code, 2) << out.summary << "\n" << results.dump(2);
  EXPECT_EQ(results["valid"], "unknown") << results.dump(2);
  std::string error = results.value("error", "");
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_NE(error.find("maelstrom node n"), std::string::npos) << error;
  EXPECT_NE(error.find(problem), std::string::npos) << error;
  EXPECT_NE(error.find(stderr_text), std::string::npos) << error;
}

fs::path write_program(const std::string& name, const std::string& text) {
  fs::create_directories(kStore);
  fs::path p = kStore / (name + ".sh");
  std::ofstream(p) << text;
  fs::permissions(p, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                         fs::perms::others_exec);
  return p;
}

TEST(Maelstrom, NodePrintingGarbageIsUnknownNamingTheNode) {
  Spec spec = spec_for("echo", "echo.py");
  spec.target_options["bin"] = "/bin/echo";
  spec.target_options["args"] = "garbage-not-json";
  expect_start_failure(run(spec), "printed a non-message on stdout", "garbage-not-json");
}

TEST(Maelstrom, NodeCrashingAtStartOrNeverAnsweringInitIsUnknownQuotingItsStderr) {
  Spec crash = spec_for("echo", "echo.py");
  crash.name = "crash-at-start";
  crash.target_options["bin"] =
      write_program("crash", "#!/bin/sh\necho 'cannot open config.yml' >&2\nexit 3\n").string();
  expect_start_failure(run(crash), "exited with status 3 before answering init", "cannot open config.yml");

  Spec silent = spec_for("echo", "echo.py");
  silent.name = "never-answers-init";
  silent.target_options["bin"] =
      write_program("silent", "#!/bin/sh\necho 'waiting for a leader' >&2\nexec sleep 30\n").string();
  silent.target_options["init-timeout-s"] = 2;
  expect_start_failure(run(silent), "never answered init within 2 s", "waiting for a leader");
}

}  // namespace
}  // namespace faultline
