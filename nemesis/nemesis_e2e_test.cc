// End-to-end tests of every fault on a real private sandbox (name "nm", subnet 10.78.0.0/24),
// proving each effect from outside: TCP connects and UDP datagrams between nodes, process states,
// the time a faketime'd process sees, iptables rules left behind. Needs root.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "harness/control/local_session.h"
#include "harness/control/remote.h"
#include "harness/core/error.h"
#include "harness/run/interpreter.h"
#include "harness/sandbox/sandbox.h"
#include "harness/sandbox/testing/private_sandbox.h"
#include "nemesis/clock.h"
#include "nemesis/heal.h"
#include "nemesis/net.h"
#include "nemesis/package.h"
#include "nemesis/process.h"
#include "nemesis/testing/ticker_daemon.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;

const PrivateSandbox& sandbox = add_private_sandbox("nm", "10.78.0.0/24");

std::string address(int i) { return "10.78.0." + std::to_string(10 + i); }  // node i = n<i>, 1-based

class SandboxFaults : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    sessions_ = new std::vector<std::unique_ptr<Session>>(open_sessions(sandbox.nodes()));
  }
  static void TearDownTestSuite() { delete sessions_; }
  void SetUp() override {
    for (auto& s : *sessions_) heal_node(*s);
  }
  void TearDown() override {
    for (auto& s : *sessions_) {
      heal_node(*s);
      daemon_.kill(*s);
    }
  }

  std::vector<Session*> ptrs() {
    std::vector<Session*> out;
    for (auto& s : *sessions_) out.push_back(s.get());
    return out;
  }
  Session& node(int i) { return *(*sessions_)[static_cast<size_t>(i - 1)]; }

  // "i>j" for every pair of nodes where a TCP connect from node i to node j's sshd succeeds
  // within a second; probes run in parallel on each node.
  std::set<std::string> reachable() {
    std::string script =
        "for j in 1 2 3 4 5; do (timeout 1 bash -c \"exec 3<>/dev/tcp/10.78.0.1$j/22\" 2>/dev/null && echo $j) & done; "
        "wait";
    std::vector<std::string> outs(5);
    {
      std::vector<std::jthread> threads;
      for (int i = 1; i <= 5; ++i)
        threads.emplace_back([&, i] { outs[static_cast<size_t>(i - 1)] = node(i).check_script(script); });
    }
    std::set<std::string> pairs;
    for (int i = 1; i <= 5; ++i) {
      std::istringstream in(outs[static_cast<size_t>(i - 1)]);
      for (int j; in >> j;)
        if (j != i) pairs.insert(std::to_string(i) + ">" + std::to_string(j));
    }
    return pairs;
  }
  static std::set<std::string> all_pairs() {
    std::set<std::string> pairs;
    for (int i = 1; i <= 5; ++i)
      for (int j = 1; j <= 5; ++j)
        if (i != j) pairs.insert(std::to_string(i) + ">" + std::to_string(j));
    return pairs;
  }

  // How many of `count` UDP datagrams sent from node `from` arrive at node `to`.
  int datagrams(int from, int to, int count) {
    std::string receive =
        "timeout 10 perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr => \"" + address(to) +
        "\", LocalPort => 9999, Proto => \"udp\") or die; print \"ready\\n\"; $| = 1; $n = 0; "
        "$SIG{ALRM} = sub { print \"$n\\n\"; exit }; alarm 2; while ($s->recv($b, 100)) { $n++; alarm 1 }'";
    std::string send = "perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(PeerAddr => \"" + address(to) +
                       "\", PeerPort => 9999, Proto => \"udp\") or die; for (1.." + std::to_string(count) +
                       ") { $s->send(\"x\"); select(undef, undef, undef, 0.002) }'";
    std::string out;
    std::jthread receiver([&] { out = node(to).check_script(receive); });
    std::this_thread::sleep_for(300ms);  // the receiver binds well before the first datagram
    node(from).check_script(send);
    receiver.join();
    return std::stoi(out.substr(out.find('\n') + 1));
  }

  std::string iptables(int i) { return node(i).check_script("iptables -w -S"); }

  static std::vector<std::unique_ptr<Session>>* sessions_;
  TickerDaemon daemon_{true};
};

std::vector<std::unique_ptr<Session>>* SandboxFaults::sessions_ = nullptr;

TEST_F(SandboxFaults, PartitionCutsAcrossSidesKeepsWithinAndHealRestoresAll) {
  EXPECT_EQ(reachable(), all_pairs());
  auto nemesis = network_nemesis(NemesisNodes(ptrs()), 1);
  nemesis->setup();
  Op done = nemesis->invoke(nemesis_op("start-partition", "halves"));
  EXPECT_EQ(done.value["grudge"]["n1"], Json({"n3", "n4", "n5"}));
  std::set<std::string> within = {"1>2", "2>1", "3>4", "3>5", "4>3", "4>5", "5>3", "5>4"};
  EXPECT_EQ(reachable(), within);
  // The controller's SSH still reaches every node.
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(node(i).check({"hostname"}), "n" + std::to_string(i) + "\n");
  nemesis->invoke(nemesis_op("stop-partition", nullptr));
  EXPECT_EQ(reachable(), all_pairs());
  nemesis->teardown();
}

TEST_F(SandboxFaults, OneWayPartitionCutsOneDirectionOnly) {
  auto nemesis = network_nemesis(NemesisNodes(ptrs()), 1);
  nemesis->invoke(nemesis_op("start-partition", {{"grudge", {{"n1", {"n2"}}}}}));
  EXPECT_EQ(datagrams(2, 1, 20), 0);   // n1 no longer hears n2…
  EXPECT_EQ(datagrams(1, 2, 20), 20);  // …but n2 still hears n1
  EXPECT_EQ(datagrams(3, 1, 20), 20);
  nemesis->teardown();
  EXPECT_EQ(datagrams(2, 1, 20), 20);
}

TEST_F(SandboxFaults, LossDropsRoughlyTheAskedShare) {
  auto nemesis = network_nemesis(NemesisNodes(ptrs()), 1);
  Op done = nemesis->invoke(nemesis_op("start-loss", {{"probability", 0.5}, {"nodes", {"n1"}}, {"peers", {"n2"}}}));
  EXPECT_EQ(done.value["nodes"], Json({"n1"}));
  int arrived = datagrams(2, 1, 400);
  EXPECT_GT(arrived, 120);  // binomial(400, 0.5): mean 200, sd 10
  EXPECT_LT(arrived, 280);
  EXPECT_EQ(datagrams(3, 1, 100), 100);  // other peers untouched
  nemesis->invoke(nemesis_op("stop-loss", nullptr));
  EXPECT_EQ(datagrams(2, 1, 100), 100);
}

TEST_F(SandboxFaults, NetemFailsClearlyAndBandwidthUsesTbf) {
  auto nemesis = network_nemesis(NemesisNodes(ptrs()), 1);
  try {
    nemesis->invoke(nemesis_op("start-netem", {{"nodes", {"n3"}}, {"delay-ms", 50}}));
    ADD_FAILURE() << "netem worked; this kernel was expected to lack it";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "netem not available on n3 (its kernel lacks sch_netem)");
  }
  nemesis->invoke(nemesis_op("start-bandwidth", {{"nodes", {"n3"}}, {"rate", "1mbit"}}));
  EXPECT_NE(node(3).check({"tc", "qdisc", "show", "dev", "eth0"}).find("qdisc tbf fa17: root"), std::string::npos);
  auto healed = heal_node(node(3));
  EXPECT_EQ(healed, (std::vector<std::string>{"removed tc tbf qdisc on eth0"}));
  EXPECT_EQ(node(3).check({"tc", "qdisc", "show", "dev", "eth0"}).find("fa17"), std::string::npos);
}

TEST_F(SandboxFaults, ForeignIptablesRulesSurvivePartitionAndHeal) {
  node(1).check_script("iptables -w -A INPUT -s 10.99.99.99 -j DROP -m comment --comment foreign");
  auto nemesis = network_nemesis(NemesisNodes(ptrs()), 1);
  nemesis->invoke(nemesis_op("start-partition", "one"));
  nemesis->invoke(nemesis_op("start-loss", {{"probability", 0.1}}));
  EXPECT_NE(iptables(1).find("foreign"), std::string::npos);
  auto healed = heal_node(node(1));
  EXPECT_NE(std::find(healed.begin(), healed.end(), "removed iptables chain FAULTLINE"), healed.end());
  std::string rules = iptables(1);
  EXPECT_NE(rules.find("-A INPUT -s 10.99.99.99/32 -m comment --comment foreign -j DROP"), std::string::npos) << rules;
  EXPECT_EQ(rules.find("FAULTLINE"), std::string::npos) << rules;
  node(1).check_script("iptables -w -D INPUT -s 10.99.99.99 -j DROP -m comment --comment foreign");
}

TEST_F(SandboxFaults, KillStartPauseResume) {
  for (int i = 1; i <= 5; ++i) daemon_.start(node(i));
  auto nemesis = process_nemesis(NemesisNodes(ptrs()), daemon_, 1);
  long before = TickerDaemon::pid(node(3));
  ASSERT_NE(before, 0);
  EXPECT_EQ(nemesis->invoke(nemesis_op("kill", {{"nodes", {"n3"}}})).value["killed"], Json({"n3"}));
  EXPECT_EQ(TickerDaemon::pid(node(3)), 0);
  EXPECT_EQ(node(3).exec_script("ps -e -o args= | grep -c '^sh -c while'").out, "0\n");  // the whole group is gone
  EXPECT_EQ(nemesis->invoke(nemesis_op("start", "killed")).value["started"], Json({"n3"}));
  EXPECT_NE(TickerDaemon::pid(node(3)), 0);

  Op paused = nemesis->invoke(nemesis_op("pause", {{"nodes", {"n2"}}}));
  EXPECT_EQ(TickerDaemon::state(node(2)), "T");
  EXPECT_NE(paused.value["pids"]["n2"].size(), 0u);
  EXPECT_NE(TickerDaemon::state(node(1)), "T");  // only n2 was paused
  nemesis->invoke(nemesis_op("resume", "paused"));
  EXPECT_NE(TickerDaemon::state(node(2)), "T");

  // Heal resumes what a crashed run left paused.
  nemesis->invoke(nemesis_op("pause", {{"nodes", {"n4"}}}));
  auto healed = heal_node(node(4));
  ASSERT_FALSE(healed.empty());
  EXPECT_EQ(healed[0].rfind("resumed paused pid ", 0), 0u) << healed[0];
  EXPECT_NE(TickerDaemon::state(node(4)), "T");
}

TEST_F(SandboxFaults, CorruptFileTruncatesWhileDownAndRestarts) {
  daemon_.start(node(5));
  auto nemesis = process_nemesis(NemesisNodes(ptrs()), daemon_, 1);
  long before = TickerDaemon::pid(node(5));
  Op done = nemesis->invoke(nemesis_op("corrupt-file", {{"nodes", {"n5"}}, {"mode", "truncate"}}));
  int64_t to = done.value["files"]["n5"][kTickerDataFile]["truncated-to"].get<int64_t>();
  EXPECT_LT(to, 4096);
  EXPECT_EQ(node(5).check({"stat", "-c", "%s", kTickerDataFile}), std::to_string(to) + "\n");
  long after = TickerDaemon::pid(node(5));
  EXPECT_NE(after, 0);
  EXPECT_NE(after, before);
}

// The time the ticker (under libfaketime) last wrote on the node, minus the controller's.
double ticker_offset(Session& node) {
  std::this_thread::sleep_for(300ms);  // a fresh tick
  double seen = std::stod(node.check({"cat", kTickerTimeFile}));
  return seen - std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST_F(SandboxFaults, FaketimeBumpIsSeenByTheProcessAndReset) {
  daemon_.start(node(4));
  auto nemesis = clock_nemesis(NemesisNodes(ptrs()), ClockBackend::kFaketime, 1);
  nemesis->setup();
  EXPECT_NEAR(ticker_offset(node(4)), 0, 0.5);
  Op done = nemesis->invoke(nemesis_op("bump-clock", {{"nodes", {"n4"}}, {"delta", 100}}));
  EXPECT_NEAR(done.value["clock-offsets"]["n4"].get<double>(), 100, 0.5);
  EXPECT_NEAR(done.value["clock-offsets"]["n1"].get<double>(), 0, 0.5);
  EXPECT_NEAR(ticker_offset(node(4)), 100, 0.5);
  nemesis->invoke(nemesis_op("bump-clock", {{"nodes", {"n4"}}, {"delta", -30}}));
  EXPECT_NEAR(ticker_offset(node(4)), 70, 0.5);
  Op strobe = nemesis->invoke(
      nemesis_op("strobe-clock", {{"nodes", {"n4"}}, {"delta", 5}, {"period-ms", 100}, {"duration", 1}}));
  EXPECT_NEAR(strobe.value["clock-offsets"]["n4"].get<double>(), 70, 0.5);  // a strobe ends where it began
  Op reset = nemesis->invoke(nemesis_op("reset-clock", nullptr));
  EXPECT_NEAR(reset.value["clock-offsets"]["n4"].get<double>(), 0, 0.5);
  EXPECT_NEAR(ticker_offset(node(4)), 0, 0.5);
  // The machine's own clock was never touched.
  EXPECT_NEAR(std::stod(LocalSession().check({"date", "+%s.%N"})) -
                  std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(),
              0, 0.5);
}

// A run of every fault kind with a short interval, interrupted, then healed by the final phase
// and teardown as the runner does: no rules, stopped processes or clock offsets stay behind.
TEST_F(SandboxFaults, InterruptedRunLeavesNothingBehind) {
  for (int i = 1; i <= 5; ++i) daemon_.start(node(i));
  NemesisConfig config{
      {"partition", "kill", "pause", "clock", "loss"}, 0.3, "", Json::object(), ptrs(), &daemon_, true, 7, {}};
  NemesisPackage package = make_nemesis_package(config);
  std::vector<Op> history;
  InterpreterOptions io;
  io.nemesis = package.nemesis.get();
  io.observe = [&](const Op& o) { history.push_back(o); };
  Interpreter interpreter(std::move(io));
  package.nemesis->preflight();
  package.nemesis->setup();
  std::atomic<bool> interrupted = false;
  std::jthread interrupt([&] {
    std::this_thread::sleep_for(4s);
    interrupted = true;
  });
  interpreter.run(time_limit(seconds(30), nemesis(package.generator)), &interrupted);
  interpreter.run(nemesis(package.final_generator), nullptr);
  package.nemesis->teardown();

  int faults = 0;
  for (const auto& o : history) {
    if (o.is_info() && o.f != "stop-partition" && o.f != "stop-loss") {
      ++faults;
      EXPECT_TRUE(o.error.is_null()) << to_json(o).dump();
      EXPECT_FALSE(o.value.is_null()) << to_json(o).dump();
    }
  }
  EXPECT_GE(faults, 4);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(heal_node(node(i)), std::vector<std::string>{}) << "n" << i;
    EXPECT_EQ(iptables(i).find("FAULTLINE"), std::string::npos);
    EXPECT_EQ(node(i).check_script("ps -e -o stat= | grep -c '^ *T' || true"), "0\n");
    EXPECT_NE(TickerDaemon::state(node(i)), "T") << "n" << i;
    EXPECT_NE(TickerDaemon::pid(node(i)), 0) << "n" << i;
    EXPECT_NEAR(ticker_offset(node(i)), 0, 0.5);
  }
  EXPECT_EQ(reachable(), all_pairs());
}

TEST_F(SandboxFaults, HealCommandReportsAndRemoves) {
  auto nemesis = network_nemesis(NemesisNodes(ptrs()), 1);
  nemesis->invoke(nemesis_op("start-partition", "halves"));
  ExecResult r = LocalSession().exec({FAULTLINE_BINARY, "heal", "--sandbox", "--sandbox-name", "nm"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("n1: removed 3 iptables rules from FAULTLINE-PARTITION"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("n5: removed iptables chain FAULTLINE"), std::string::npos) << r.out;
  EXPECT_EQ(reachable(), all_pairs());
  r = LocalSession().exec({FAULTLINE_BINARY, "heal", "--sandbox", "--sandbox-name", "nm"});
  EXPECT_EQ(r.out, "n1: clean\nn2: clean\nn3: clean\nn4: clean\nn5: clean\n");
}

}  // namespace
}  // namespace faultline
