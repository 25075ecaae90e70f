// Unit tests of the nemesis without machines: grudges, node selection, the commands sent to nodes
// (through RecordingSession), schedules and package errors.
#include <gtest/gtest.h>

#include <fstream>

#include "harness/control/clock_launch.h"
#include "harness/control/recording_session.h"
#include "harness/core/error.h"
#include "nemesis/clock.h"
#include "nemesis/heal.h"
#include "nemesis/net.h"
#include "nemesis/nodes.h"
#include "nemesis/package.h"
#include "nemesis/partition.h"
#include "nemesis/power.h"
#include "nemesis/process.h"
#include "nemesis/schedule.h"

namespace faultline {
namespace {

const std::vector<std::string> kFive = {"n1", "n2", "n3", "n4", "n5"};

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Partition, HalvesIsolateBridgeThirdAndOneWay) {
  EXPECT_EQ(halves_grudge(kFive), (Grudge{{"n1", {"n3", "n4", "n5"}},
                                          {"n2", {"n3", "n4", "n5"}},
                                          {"n3", {"n1", "n2"}},
                                          {"n4", {"n1", "n2"}},
                                          {"n5", {"n1", "n2"}}}));
  EXPECT_EQ(isolate_grudge(kFive, "n3"),
            (Grudge{{"n3", {"n1", "n2", "n4", "n5"}}, {"n1", {"n3"}}, {"n2", {"n3"}}, {"n4", {"n3"}}, {"n5", {"n3"}}}));
  Grudge bridge = bridge_grudge(kFive);
  EXPECT_EQ(bridge.count("n3"), 0u);                                                    // the bridge hears everyone…
  for (const auto& [node, others] : bridge) EXPECT_EQ(others.count("n3"), 0u) << node;  // …and everyone hears it
  EXPECT_EQ(bridge.at("n1"), (std::set<std::string>{"n4", "n5"}));
  EXPECT_EQ(minority_third_grudge(kFive).at("n1").size(), 4u);
  EXPECT_EQ(minority_third_grudge({"a", "b", "c", "d", "e", "f", "g"}).at("a"),
            (std::set<std::string>{"c", "d", "e", "f", "g"}));
  EXPECT_EQ(one_way_grudge(kFive), (Grudge{{"n1", {"n3", "n4", "n5"}}, {"n2", {"n3", "n4", "n5"}}}));
}

TEST(Partition, MajoritiesRingGivesEveryNodeADifferentMajority) {
  for (size_t n : {3u, 4u, 5u, 7u}) {
    std::vector<std::string> nodes(kFive.begin(), kFive.begin() + std::min<size_t>(n, 5));
    while (nodes.size() < n) nodes.push_back("x" + std::to_string(nodes.size()));
    Grudge g = majorities_ring_grudge(nodes);
    std::set<std::set<std::string>> heard;
    for (const auto& node : nodes) {
      std::set<std::string> h(nodes.begin(), nodes.end());
      if (g.count(node))
        for (const auto& x : g.at(node)) h.erase(x);
      EXPECT_TRUE(h.count(node));
      EXPECT_EQ(h.size(), n / 2 + 1) << node;
      heard.insert(h);
    }
    EXPECT_EQ(heard.size(), n);
  }
}

TEST(Partition, ShapesByNameAreSeededAndBadOnesAreNamed) {
  Rng a(7), b(7);
  for (const auto& shape : partition_shapes())
    EXPECT_EQ(partition_grudge(shape, kFive, a), partition_grudge(shape, kFive, b)) << shape;
  Rng rng(1);
  EXPECT_EQ(partition_grudge(Json{{"grudge", {{"n1", {"n2"}}}}}, kFive, rng), (Grudge{{"n1", {"n2"}}}));
  EXPECT_NE(error_of([&] {
              partition_grudge(Json{{"grudge", {{"n1", {"n9"}}}}}, kFive, rng);
            }).find("unknown node \"n9\""),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              partition_grudge("thirds", kFive, rng);
            }).find("unknown partition shape \"thirds\"; known: halves"),
            std::string::npos);
  EXPECT_NE(error_of([&] { partition_grudge("bridge", {"a", "b"}, rng); }).find("at least 3 nodes"), std::string::npos);
}

struct FakeCluster {
  std::vector<std::unique_ptr<RecordingSession>> sessions;
  explicit FakeCluster(size_t n = 5) {
    for (size_t i = 0; i < n; ++i) {
      auto s = std::make_unique<RecordingSession>(kFive[i]);
      s->respond(
          "SSH_CONNECTION",
          ExecResult{0, "controller 10.0.0.1 22\naddress 10.0.0.1" + std::to_string(i + 1) + "\ndevice eth0\n", ""});
      sessions.push_back(std::move(s));
    }
  }
  std::vector<Session*> ptrs() {
    std::vector<Session*> out;
    for (auto& s : sessions) out.push_back(s.get());
    return out;
  }
  // Commands sent to node i, excluding the network probe.
  std::string commands(size_t i) {
    std::string all;
    for (const auto& c : sessions[i]->commands())
      if (c.find("SSH_CONNECTION") == std::string::npos) all += c + "\n";
    return all;
  }
};

TEST(NemesisNodes, SelectorsChooseTheRightNumberOfNodes) {
  FakeCluster c;
  NemesisNodes nodes(c.ptrs());
  Rng rng(3);
  EXPECT_EQ(nodes.select("one", rng).size(), 1u);
  for (int i = 0; i < 20; ++i) {
    auto minority = nodes.select("minority", rng).size();
    EXPECT_TRUE(minority == 1 || minority == 2);
  }
  EXPECT_EQ(nodes.select("majority", rng).size(), 3u);
  EXPECT_EQ(nodes.select("all", rng), kFive);
  EXPECT_EQ(nodes.select(Json{"n4", "n2"}, rng), (std::vector<std::string>{"n2", "n4"}));
  EXPECT_EQ(nodes.select("primaries", rng, [] { return std::vector<std::string>{"n5"}; }),
            (std::vector<std::string>{"n5"}));
  EXPECT_NE(error_of([&] { nodes.select("most", rng); }).find("unknown node selector \"most\""), std::string::npos);
  EXPECT_NE(error_of([&] { nodes.select(Json{"n9"}, rng); }).find("\"n9\", which is not in the cluster"),
            std::string::npos);
}

// Counts what the nemesis asked of the target and of the power, per node.
struct CountingDaemon : Daemon {
  std::map<std::string, int> starts, kills;
  void kill(Session& s) override { ++kills[s.node()]; }
  void start(Session& s) override { ++starts[s.node()]; }
  void pause(Session&) override {}
  void resume(Session&) override {}
};

struct FakePower : PowerSwitch {
  std::vector<std::string> log;
  void off(const std::string& node) override { log.push_back("off " + node); }
  void on(const std::string& node) override { log.push_back("on " + node); }
};

TEST(PowerNemesis, NodesThatAreOffArePassedByAndAPowerOnEndsTheirKill) {
  FakeCluster c(3);
  NemesisNodes nodes(c.ptrs());
  CountingDaemon daemon;
  FakePower power;
  auto process = process_nemesis(nodes, daemon, 1);
  auto cut = power_nemesis(nodes, daemon, &power, 1);
  auto net = network_nemesis(nodes, 1);
  net->setup();
  process->invoke(nemesis_op("kill", {{"nodes", {"n1"}}}));
  EXPECT_EQ(cut->invoke(nemesis_op("power-off", {{"nodes", {"n1"}}})).value["powered-off"], Json({"n1"}));
  size_t sent_to_n1 = c.sessions[0]->commands().size();

  // Nothing reaches n1 while it is off, whatever the selector.
  EXPECT_EQ(process->invoke(nemesis_op("kill", {{"nodes", "all"}})).value["killed"], Json({"n2", "n3"}));
  EXPECT_EQ(process->invoke(nemesis_op("kill", {{"nodes", {"n1", "n2"}}})).value["killed"], Json({"n2"}));
  EXPECT_EQ(process->invoke(nemesis_op("start", "killed")).value["started"], Json({"n2", "n3"}));
  net->invoke(nemesis_op("start-partition", {{"grudge", {{"n1", {"n2"}}, {"n2", {"n1"}}}}}));
  EXPECT_NE(c.commands(1).find("10.0.0.11"), std::string::npos) << "n2 drops n1, whose address setup learnt";
  net->invoke(nemesis_op("stop-partition", nullptr));
  EXPECT_EQ(c.sessions[0]->commands().size(), sent_to_n1);
  EXPECT_EQ(daemon.kills["n1"], 1);

  // The power-on boots n1 and starts its target afresh, so its earlier kill is over.
  EXPECT_EQ(cut->invoke(nemesis_op("power-on", "off")).value["powered-on"], Json({"n1"}));
  EXPECT_EQ(daemon.starts["n1"], 1);
  EXPECT_EQ(process->invoke(nemesis_op("start", "killed")).value["started"], Json::array());
  EXPECT_EQ(daemon.starts["n1"], 1);
  EXPECT_EQ(power.log, (std::vector<std::string>{"off n1", "on n1"}));
  // A power-on may name the nodes it boots, among those that are off.
  cut->invoke(nemesis_op("power-off", {{"nodes", {"n2"}}}));
  EXPECT_EQ(cut->invoke(nemesis_op("power-on", {{"nodes", {"n2", "n3"}}})).value["powered-on"], Json({"n2"}));
  EXPECT_EQ(power.log, (std::vector<std::string>{"off n1", "on n1", "off n2", "on n2"}));
}

TEST(NetworkNemesis, PartitionDropsOnlyTheGrudgeAndNeverTheController) {
  FakeCluster c;
  auto nemesis = network_nemesis(NemesisNodes(c.ptrs()), 1);
  Op done = nemesis->invoke(nemesis_op("start-partition", {{"grudge", {{"n1", {"n2", "n3"}}}}}));
  EXPECT_EQ(done.type, OpType::kInfo);
  EXPECT_EQ(done.value["grudge"], (Json{{"n1", {"n2", "n3"}}}));
  std::string n1 = c.commands(0);
  EXPECT_NE(n1.find("iptables -w -A FAULTLINE -s 10.0.0.1 -p tcp --dport 22 -j ACCEPT"), std::string::npos) << n1;
  EXPECT_NE(n1.find("iptables -w -C INPUT -j FAULTLINE 2>/dev/null || iptables -w -I INPUT 1 -j FAULTLINE"),
            std::string::npos);
  EXPECT_NE(n1.find("-A FAULTLINE-PARTITION -s 10.0.0.12 -j DROP"), std::string::npos);
  EXPECT_NE(n1.find("-A FAULTLINE-PARTITION -s 10.0.0.13 -j DROP"), std::string::npos);
  EXPECT_EQ(n1.find("-s 10.0.0.14 -j DROP"), std::string::npos);
  EXPECT_EQ(c.commands(1).find("-j DROP"), std::string::npos);  // n2 still hears n1: one way
  nemesis->invoke(nemesis_op("stop-partition", nullptr));
  for (size_t i = 0; i < 5; ++i) EXPECT_NE(c.commands(i).find("iptables -w -F FAULTLINE-PARTITION"), std::string::npos);
}

TEST(NetworkNemesis, LossBandwidthAndMissingNetem) {
  FakeCluster c;
  auto nemesis = network_nemesis(NemesisNodes(c.ptrs()), 1);
  Op loss =
      nemesis->invoke(nemesis_op("start-loss", {{"probability", 0.25}, {"nodes", {"n2"}}, {"peers", {"n1", "n2"}}}));
  EXPECT_EQ(loss.value["nodes"], Json({"n2"}));
  EXPECT_NE(c.commands(1).find("-A FAULTLINE-LOSS -s 10.0.0.11 -m statistic --mode random --probability 0.25 -j DROP"),
            std::string::npos);
  EXPECT_EQ(c.commands(1).find("-s 10.0.0.12 -m statistic"), std::string::npos);  // never from itself
  EXPECT_EQ(c.commands(0).find("FAULTLINE-LOSS -s"), std::string::npos);
  nemesis->invoke(nemesis_op("start-bandwidth", {{"nodes", {"n3"}}, {"rate", "2mbit"}}));
  EXPECT_NE(c.commands(2).find("tc qdisc replace dev eth0 root handle fa17: tbf rate 2mbit"), std::string::npos);
  c.sessions[3]->respond("netem", ExecResult{2, "", "Error: Specified qdisc kind is unknown.\n"});
  EXPECT_EQ(error_of([&] {
              nemesis->invoke(nemesis_op("start-netem", {{"nodes", {"n4"}}, {"delay-ms", 50}}));
            }),
            "netem not available on n4 (its kernel lacks sch_netem)");
  EXPECT_NE(error_of([&] {
              nemesis->invoke(nemesis_op("start-loss", {{"probability", 1.5}}));
            }).find("probability must be in (0, 1]"),
            std::string::npos);
}

TEST(ClockNemesis, SandboxBumpRewritesTheFaketimeFileAndMeasuresEveryNode) {
  FakeCluster c(3);
  for (auto& s : c.sessions) s->respond("date +%s.%N", ExecResult{0, "2000000000.5\n", ""});
  auto nemesis = clock_nemesis(NemesisNodes(c.ptrs()), ClockBackend::kFaketime, 1);
  Op done = nemesis->invoke(nemesis_op("bump-clock", {{"nodes", {"n2"}}, {"delta", -2.5}}));
  EXPECT_NE(c.commands(1).find("put \"$(add \"$base\" -2.500000)\""), std::string::npos) << c.commands(1);
  EXPECT_NE(c.commands(1).find(kFaketimeFile), std::string::npos);
  EXPECT_EQ(c.commands(0).find("put "), std::string::npos);
  EXPECT_EQ(done.value["nodes"], Json({"n2"}));
  ASSERT_EQ(done.value["clock-offsets"].size(), 3u);
  EXPECT_GT(done.value["clock-offsets"]["n1"].get<double>(), 1e8);  // the fake node lives in 2033
  EXPECT_NE(c.commands(0).find(faketime_prefix() + "date +%s.%N"), std::string::npos);
  EXPECT_NE(error_of([&] {
              nemesis->invoke(nemesis_op("bump-clock", {{"nodes", "all"}}));
            }).find("non-zero \"delta\""),
            std::string::npos);
  EXPECT_NE(faketime_prefix().find("LD_PRELOAD="), std::string::npos);
}

TEST(ClockNemesis, BackendIsPtraceOnTheSandboxUnlessFaketimeIsAskedFor) {
  EXPECT_EQ(clock_backend_for(false, Json::object()), ClockBackend::kSystem);
  EXPECT_EQ(clock_backend_for(true, Json::object()), ClockBackend::kPtrace);
  EXPECT_EQ(clock_backend_for(true, {{"clock", {{"backend", "faketime"}}}}), ClockBackend::kFaketime);
  EXPECT_NE(error_of([] {
              clock_backend_for(true, {{"clock", {{"backend", "libc"}}}});
            }).find("\"ptrace\" or \"faketime\""),
            std::string::npos);
}

TEST(ClockNemesis, PtraceBumpRunsTheHelperAndRecordsWhatProcessesObserve) {
  FakeCluster c(2);
  for (auto& s : c.sessions) s->respond("uname", ExecResult{0, "x86_64\n", ""});
  c.sessions[0]->respond(" measure ", ExecResult{0, "12 etcd +2.500000\n13 sh +2.400000\n", ""});
  auto nemesis = clock_nemesis(NemesisNodes(c.ptrs()), ClockBackend::kPtrace, 1);
  nemesis->setup();
  Op done = nemesis->invoke(nemesis_op("bump-clock", {{"nodes", {"n1"}}, {"delta", 2.5}}));
  EXPECT_NE(c.commands(0).find("put \"$(add \"$base\" +2.500000)\""), std::string::npos) << c.commands(0);
  EXPECT_NE(c.commands(0).find(kNodeClockHelper), std::string::npos);
  EXPECT_EQ(c.commands(1).find("put \"$(add"), std::string::npos);
  EXPECT_EQ(done.value["clock-offsets"]["n1"], 2.5);
  EXPECT_TRUE(done.value["clock-offsets"]["n2"].is_null());  // no process there: nothing observed
  EXPECT_EQ(done.value["clock-observed"]["n1"]["12 etcd"], 2.5);
  EXPECT_NE(clock_heal_script().find(kNodeClockHelper), std::string::npos);
}

TEST(ClockNemesis, PtracePreflightAndSetupRefuseWhatTheyCannotReach) {
  FakeCluster none(2);
  for (auto& s : none.sessions) s->respond("uname", ExecResult{0, "x86_64\n", ""});
  std::string e = error_of([&] { clock_nemesis(NemesisNodes(none.ptrs()), ClockBackend::kPtrace, 1)->setup(); });
  EXPECT_NE(e.find("started none"), std::string::npos) << e;
  FakeCluster arm(1);
  arm.sessions[0]->respond("uname", ExecResult{0, "aarch64\n", ""});
  e = error_of([&] { clock_nemesis(NemesisNodes(arm.ptrs()), ClockBackend::kPtrace, 1)->preflight(); });
  EXPECT_NE(e.find("x86-64 only"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(ClockNemesis, RealHostsStopNtpAndStepTheClock) {
  FakeCluster c(1);
  c.sessions[0]->respond("date +%s.%N", ExecResult{0, "2000000000.5\n", ""});
  auto nemesis = clock_nemesis(NemesisNodes(c.ptrs()), ClockBackend::kSystem, 1);
  nemesis->invoke(nemesis_op("bump-clock", {{"nodes", "all"}, {"delta", 3}}));
  std::string commands = c.commands(0);
  EXPECT_NE(commands.find("systemctl stop"), std::string::npos);
  EXPECT_NE(commands.find("step +3.000000"), std::string::npos);
  EXPECT_EQ(commands.find("LD_PRELOAD"), std::string::npos);
}

TEST(Heal, ReportsEachLineTheNodePrints) {
  RecordingSession node("n1");
  node.respond(
      "FAULTLINE",
      ExecResult{0, "removed 2 iptables rules from FAULTLINE-PARTITION\n\nremoved iptables chain FAULTLINE\n", ""});
  EXPECT_EQ(heal_node(node), (std::vector<std::string>{"removed 2 iptables rules from FAULTLINE-PARTITION",
                                                       "removed iptables chain FAULTLINE"}));
  EXPECT_EQ(node.commands().size(), 1u);  // one command per node
}

// Runs a nemesis generator for `secs` simulated seconds with ops completing at once.
std::vector<Op> simulate(const Gen& gen, double secs) {
  std::vector<int64_t> process_of;
  Rng rng(1);
  int64_t time = 0;
  std::vector<Op> ops;
  while (time < seconds(secs)) {
    Context ctx;
    ctx.time = time;
    ctx.clients = 0;
    ctx.process_of = &process_of;
    ctx.rng = &rng;
    ctx.threads = ctx.free = {0};
    Next n = gen->next(ctx);
    if (n.is_exhausted()) break;
    if (n.is_pending()) {
      time = n.wake == INT64_MAX ? time + kSecond : n.wake;
      continue;
    }
    ops.push_back(n.op);
    gen->update(ctx, n.op);
    Op done = n.op;
    done.type = OpType::kInfo;
    gen->update(ctx, done);
  }
  return ops;
}

std::vector<std::string> fs_and_values(const std::vector<Op>& ops) {
  std::vector<std::string> out;
  for (const auto& op : ops) out.push_back(std::to_string(op.time / 1'000'000) + " " + op.f + " " + op.value.dump());
  return out;
}

class TinyDaemon : public Daemon {
  void kill(Session&) override {}
  void start(Session&) override {}
  void pause(Session&) override {}
  void resume(Session&) override {}
};

TEST(Package, RandomScheduleIsDeterministicForASeedAndPairsStartsWithStops) {
  FakeCluster c;
  TinyDaemon daemon;
  NemesisConfig config{
      {"partition", "kill", "pause", "clock", "loss"}, 5, "", Json::object(), c.ptrs(), &daemon, true, 42, {}};
  auto a = fs_and_values(simulate(make_nemesis_package(config).generator, 300));
  auto b = fs_and_values(simulate(make_nemesis_package(config).generator, 300));
  EXPECT_EQ(a, b);
  config.seed = 43;
  EXPECT_NE(a, fs_and_values(simulate(make_nemesis_package(config).generator, 300)));
  // Each kind alternates start and stop; kinds overlap.
  config.seed = 42;
  std::map<std::string, std::string> last;
  std::set<std::string> seen;
  for (const auto& op : simulate(make_nemesis_package(config).generator, 300)) {
    const FaultKind& kind = fault_kind_of(op.f);
    bool is_stop = op.f == kind.stop;
    EXPECT_EQ(is_stop, last[kind.name] == "start") << op.f;
    last[kind.name] = is_stop ? "stop" : "start";
    seen.insert(op.f);
  }
  for (const char* f : {"start-partition", "stop-partition", "kill", "start", "pause", "resume", "reset-clock",
                        "start-loss", "stop-loss"})
    EXPECT_TRUE(seen.count(f)) << f;
  EXPECT_TRUE(seen.count("bump-clock") || seen.count("strobe-clock"));
  auto heal = fs_and_values(simulate(make_nemesis_package(config).final_generator, 10));
  EXPECT_EQ(heal, (std::vector<std::string>{"0 stop-partition null", "0 stop-loss null", "0 resume \"paused\"",
                                            "0 start \"killed\"", "0 reset-clock {\"nodes\":\"all\"}"}));
}

TEST(Package, ScriptedScheduleEmitsEachStepAtItsTime) {
  FakeCluster c;
  std::string file = testing::TempDir() + "/schedule.json";
  std::ofstream(file) << R"([{"at": 1, "f": "start-partition", "value": "halves"}, {"at": 2.5, "f": "stop-partition"},
                             {"at": 4, "f": "bump-clock", "value": {"nodes": ["n1"], "delta": 3}}])";
  TinyDaemon daemon;
  NemesisConfig config{{}, 5, file, Json::object(), c.ptrs(), &daemon, true, 1, {}};
  auto package = make_nemesis_package(config);
  EXPECT_EQ(fs_and_values(simulate(package.generator, 100)),
            (std::vector<std::string>{"1000 start-partition \"halves\"", "2500 stop-partition null",
                                      "4000 bump-clock {\"delta\":3,\"nodes\":[\"n1\"]}"}));
  EXPECT_EQ(package.nemesis->fs().count("start-partition") + package.nemesis->fs().count("reset-clock"), 2u);
  EXPECT_NE(error_of([&] {
              parse_schedule(Json::parse(R"([{"at": 2, "f": "kill"}, {"at": 1, "f": "start"}])"), "s.json");
            }).find("s.json step 2: \"at\" must be >= 0 and not before the previous step"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              parse_schedule(Json::parse(R"([{"at": 2, "f": "explode"}])"), "s.json");
            }).find("s.json step 1: unknown nemesis f \"explode\""),
            std::string::npos);
}

TEST(Package, BadFaultKindsAreRejectedBeforeTheRun) {
  FakeCluster c;
  NemesisConfig config{{"partition", "earthquake"}, 5, "", Json::object(), c.ptrs(), nullptr, true, 1, {}};
  EXPECT_NE(error_of([&] {
              make_nemesis_package(config);
            }).find("unknown fault kind \"earthquake\" in --nemesis; known: power, partition"),
            std::string::npos);
  config.faults = {"kill"};
  EXPECT_NE(error_of([&] { make_nemesis_package(config); }).find("needs a target that can kill"), std::string::npos);
  config.faults = {"all"};  // without a daemon: every kind that needs none
  auto fs = make_nemesis_package(config).nemesis->fs();
  EXPECT_TRUE(fs.count("start-partition") && !fs.count("bump-clock") &&
              !fs.count("kill"));  // sandbox clocks are per process
  config.sandbox = false;
  EXPECT_TRUE(make_nemesis_package(config).nemesis->fs().count("bump-clock"));  // real hosts: the system clock
  config.sandbox = true;
  config.faults = {"clock"};
  std::string e = error_of([&] { make_nemesis_package(config); });
  EXPECT_NE(e.find("drop clock from --nemesis, or use VM or real-host nodes"), std::string::npos) << e;
  config.faults = {};
  EXPECT_EQ(make_nemesis_package(config).generator, nullptr);
}

TEST(FaultTable, AStartOpThatLeavesAFieldOutGetsTheTablesDefaultAndAWrongTypeNamesTheField) {
  FakeCluster c;
  auto nemesis = network_nemesis(NemesisNodes(c.ptrs()), 1);
  Op loss = nemesis->invoke(nemesis_op("start-loss", {{"nodes", {"n2"}}}));
  EXPECT_EQ(loss.value["probability"], fault_kind("loss").defaults["probability"]);
  EXPECT_NE(c.commands(1).find("--probability 0.3 -j DROP"), std::string::npos) << c.commands(1);
  Error e(ErrorCode::kInternal, "");
  try {
    nemesis->invoke(nemesis_op("start-loss", {{"probability", "high"}}));
  } catch (const Error& thrown) {
    e = thrown;
  }
  EXPECT_EQ(e.code(), ErrorCode::kBadInput);
  EXPECT_EQ(std::string(e.what()), "start-loss field \"probability\" must be a number, got \"high\"");
  EXPECT_NE(error_of([&] { nemesis->invoke(nemesis_op("start-bandwidth", "fast")); }).find("must be an object"),
            std::string::npos);
  // The random schedule draws from the same defaults, and a bad nemesis option is named with its kind.
  FakeCluster d;
  TinyDaemon daemon;
  NemesisConfig config{{"loss"}, 5, "", {{"loss", {{"probability", true}}}}, d.ptrs(), &daemon, true, 1, {}};
  EXPECT_EQ(error_of([&] { make_nemesis_package(config); }),
            "nemesis option \"loss.probability\" must be a number, got true");
  config.options = Json::object();
  for (const auto& op : simulate(make_nemesis_package(config).generator, 60)) {
    if (op.f == "start-loss") {
      EXPECT_EQ(op.value["probability"], 0.3);
    }
  }
  EXPECT_EQ(fault_kind_of("strobe-clock").name, "clock");
  EXPECT_EQ(fault_kind("clock").defaults["duration"], 2.0);
}

}  // namespace
}  // namespace faultline
