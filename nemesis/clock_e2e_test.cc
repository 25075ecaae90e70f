// End-to-end tests of the ptrace clock backend on a real one-node sandbox (name "ck2", subnet
// 10.80.1.0/24): a Go program (etcd), a C program and a Python program started detached on the
// node each see a bump, a strobe and the reset, read from what they write themselves; a program
// started during a fault gets it; `faultline heal` restores processes after the controller was
// SIGKILLed mid-fault. Needs root.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

#include "harness/control/remote.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "harness/sandbox/sandbox.h"
#include "nemesis/clock.h"
#include "nemesis/heal.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;

const std::string kDir = std::string(kNodeStorage) + "/clocktest";

SandboxOptions test_sandbox() {
  SandboxOptions options;
  options.name = "ck2";
  options.nodes = 1;
  options.subnet = "10.80.1.0/24";
  return options;
}

double now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

// A C program printing clock_gettime(CLOCK_REALTIME) every 50 ms.
constexpr const char* kCProgram = R"(#include <stdio.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char** argv) {
  FILE* f = fopen(argv[1], "a");
  setvbuf(f, NULL, _IOLBF, 0);
  for (;;) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    fprintf(f, "%ld.%09ld\n", (long)t.tv_sec, t.tv_nsec);
    usleep(50000);
  }
}
)";

constexpr const char* kPython =
    "import time\nf = open(__import__('sys').argv[1], 'a', buffering=1)\n"
    "while True:\n    f.write('%.6f\\n' % time.time())\n    time.sleep(0.05)\n";

class ClockFaults : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    sandbox_up(test_sandbox());
    sessions_ =
        new std::vector<std::unique_ptr<Session>>(open_sessions(load_sandbox_nodes(default_sandbox_dir("ck2"))));
  }
  static void TearDownTestSuite() {
    delete sessions_;
    sandbox_down(test_sandbox());
  }
  void SetUp() override {
    heal_node(node());
    stop_programs();
    node().check_script("set -e\nrm -rf " + kDir + " && mkdir -p " + kDir + "\ncat > " + kDir + "/rt.c <<'EOF'\n" +
                        kCProgram + "EOF\ncc -O2 -o " + kDir + "/rt " + kDir + "/rt.c\ncat > " + kDir +
                        "/rt.py <<'EOF'\n" + kPython + "EOF\n");
  }
  void TearDown() override {
    heal_node(node());
    stop_programs();
  }

  static Session& node() { return *(*sessions_)[0]; }

  // Starts a program detached from the SSH session, as targets start their daemons.
  void start(const std::string& name, const std::string& command) {
    node().check_script("setsid -f sh -c " + shell_quote("echo $$ > " + kDir + "/" + name + ".pid; exec " + command) +
                        " </dev/null >>" + kDir + "/" + name + ".log 2>&1\nsleep 0.3");
  }
  void start_all() {
    start("c", kDir + "/rt " + kDir + "/c.out");
    start("py", "python3 " + kDir + "/rt.py " + kDir + "/py.out");
    start("etcd", "etcd --name ck --data-dir " + kDir +
                      "/etcd.data --logger zap --log-outputs stderr "
                      "--listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 "
                      "--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 "
                      "--initial-cluster ck=http://127.0.0.1:2380");
    for (int i = 0; i < 50 && node().exec({"curl", "-sf", "http://127.0.0.1:2379/health"}).exit_code != 0; ++i)
      std::this_thread::sleep_for(200ms);
  }
  void stop_programs() {
    std::ignore = node().exec_script("for f in " + kDir +
                                     "/*.pid; do [ -e \"$f\" ] && kill -9 $(cat \"$f\") 2>/dev/null; done; true");
  }

  // The last time a program wrote, minus the real time now (it writes every 50 ms).
  static double file_offset(const std::string& file) {
    std::this_thread::sleep_for(150ms);
    std::string last = node().check({"tail", "-n", "1", file});
    return std::stod(last) - now();
  }
  // Makes etcd write a log line now (a put, then a compaction at its revision) and returns that
  // line's JSON "ts" as the node parses it, minus the real time just before.
  static double etcd_offset() {
    double before = now();
    std::string script =
        "put=$(curl -sf -X POST http://127.0.0.1:2379/v3/kv/put -d '{\"key\":\"Y2s=\",\"value\":\"MQ==\"}')\n"
        "rev=$(echo \"$put\" | sed -n 's/.*\"revision\":\"\\([0-9]*\\)\".*/\\1/p')\n"
        "curl -sf -X POST http://127.0.0.1:2379/v3/kv/compaction -d \"{\\\"revision\\\":$rev}\" >/dev/null\n"
        "sleep 0.1\n"
        "ts=$(grep compact " +
        kDir +
        "/etcd.log | tail -n 1 | sed -n 's/.*\"ts\":\"\\([^\"]*\\)\".*/\\1/p')\n"
        "date -d \"$ts\" +%s.%N\n";
    return std::stod(node().check_script(script)) - before;
  }
  static void expect_all_near(double offset, const std::string& when) {
    EXPECT_NEAR(file_offset(kDir + "/c.out"), offset, 0.5) << "C program, " << when;
    EXPECT_NEAR(file_offset(kDir + "/py.out"), offset, 0.5) << "Python program, " << when;
    EXPECT_NEAR(etcd_offset(), offset, 0.5) << "etcd (Go), " << when;
  }

  static std::vector<std::unique_ptr<Session>>* sessions_;
};

std::vector<std::unique_ptr<Session>>* ClockFaults::sessions_ = nullptr;

TEST_F(ClockFaults, GoCAndPythonSeeBumpStrobeAndReset) {
  start_all();
  auto nemesis = clock_nemesis(NemesisNodes({&node()}), ClockBackend::kPtrace, 1);
  nemesis->preflight();
  nemesis->setup();
  expect_all_near(0, "before any fault");

  Op bump = nemesis->invoke(nemesis_op("bump-clock", {{"nodes", "all"}, {"delta", 60}}));
  EXPECT_NEAR(bump.value["clock-offsets"]["n1"].get<double>(), 60, 0.1) << bump.value.dump();
  EXPECT_GE(bump.value["clock-observed"]["n1"].size(), 3u) << bump.value.dump();
  expect_all_near(60, "after a +60 s bump");

  // A strobe of +5 s every 300 ms: consecutive lines of the C and Python programs jump both
  // ways, and etcd's log shows both offsets.
  std::string c_mark = node().check_script("wc -l < " + kDir + "/c.out"),
              py_mark = node().check_script("wc -l < " + kDir + "/py.out");
  std::atomic<bool> strobing = true;
  std::jthread strobe([&] {
    nemesis->invoke(nemesis_op("strobe-clock", {{"nodes", "all"}, {"delta", 5}, {"period-ms", 300}, {"duration", 3}}));
    strobing = false;
  });
  std::vector<double> etcd_seen;
  while (strobing) etcd_seen.push_back(etcd_offset());
  strobe.join();
  auto jumps = [](const std::string& file, const std::string& mark) {
    std::istringstream lines(node().check_script("tail -n +" + std::to_string(std::stol(mark) + 1) + " " + file));
    std::pair<int, int> ups_downs{0, 0};
    double last = NAN;
    for (std::string line; std::getline(lines, line);) {
      double t = std::stod(line);
      if (t - last > 4 && t - last < 6) ++ups_downs.first;
      if (last - t > 4 && last - t < 6) ++ups_downs.second;
      last = t;
    }
    return ups_downs;
  };
  for (const auto& [file, mark] : {std::pair{kDir + "/c.out", c_mark}, std::pair{kDir + "/py.out", py_mark}}) {
    auto [ups, downs] = jumps(file, mark);
    EXPECT_GE(ups, 2) << file;
    EXPECT_GE(downs, 2) << file;
  }
  bool high = false, low = false;
  for (double o : etcd_seen) {
    high = high || std::abs(o - 65) < 0.5;
    low = low || std::abs(o - 60) < 0.5;
  }
  EXPECT_TRUE(high && low) << "etcd during the strobe saw " << testing::PrintToString(etcd_seen);
  expect_all_near(60, "after the strobe");

  // A program started during the fault gets it.
  start("py2", "python3 " + kDir + "/rt.py " + kDir + "/py2.out");
  std::this_thread::sleep_for(500ms);
  EXPECT_NEAR(file_offset(kDir + "/py2.out"), 60, 0.5) << "a program started during the fault";

  Op reset = nemesis->invoke(nemesis_op("reset-clock", nullptr));
  EXPECT_NEAR(reset.value["clock-offsets"]["n1"].get<double>(), 0, 0.1) << reset.value.dump();
  expect_all_near(0, "after the reset");
  EXPECT_NEAR(file_offset(kDir + "/py2.out"), 0, 0.5);
  nemesis->teardown();
}

TEST_F(ClockFaults, NoTargetProcessIsRefusedInOneLine) {
  auto nemesis = clock_nemesis(NemesisNodes({&node()}), ClockBackend::kPtrace, 1);
  try {
    nemesis->preflight();
    nemesis->setup();
    FAIL() << "setup accepted a clock fault with nothing to skew";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("started none"), std::string::npos) << e.what();
  }
}

// The offset the first process named `comm` observes in `faultline-clock measure` output.
double observed_by(const std::string& measured, const std::string& comm) {
  std::istringstream lines(measured);
  std::string pid, name;
  double offset;
  while (lines >> pid >> name >> offset)
    if (name == comm) return offset;
  return NAN;
}

// The controller SIGKILLed while etcd is bumped leaves the fault on the node; `faultline heal`
// restores it, so etcd and the other programs read the real time again.
TEST_F(ClockFaults, HealAfterTheControllerWasKilledRestoresRealTime) {
  start("c", kDir + "/rt " + kDir + "/c.out");
  std::string schedule = testing::TempDir() + "/ck-bump.json";
  {
    std::ofstream out(schedule);
    out << R"([{"at": 0.5, "f": "bump-clock", "value": {"nodes": "all", "delta": 60}}])";
  }
  std::string store = testing::TempDir() + "/ck-store";
  pid_t controller = fork();
  if (controller == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(FAULTLINE_BINARY, "faultline", "test", "--sandbox", "--sandbox-name", "ck2", "--target", "etcd", "--workload",
          "register", "--nemesis-schedule", schedule.c_str(), "--time-limit", "60", "--store", store.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until the bump reached the programs (the C program is a node process too).
  bool bumped = false;
  for (int i = 0; i < 150 && !bumped; ++i) {
    std::this_thread::sleep_for(200ms);
    bumped = std::abs(file_offset(kDir + "/c.out") - 60) < 0.5;
  }
  ASSERT_TRUE(bumped) << "the controller's bump never reached the node";
  std::string etcd_pid = node().check_script("pgrep -x etcd | head -n 1 | tr -d '\\n'");
  kill(controller, SIGKILL);
  waitpid(controller, nullptr, 0);
  std::this_thread::sleep_for(300ms);
  EXPECT_NEAR(file_offset(kDir + "/c.out"), 60, 0.5) << "the fault outlives its controller";
  std::string measured = node().check({kNodeClockHelper, "measure", std::string(kNodeStorage) + "/nemesis"});
  EXPECT_NEAR(observed_by(measured, "etcd"), 60, 0.5) << measured;

  FILE* heal = popen((std::string(FAULTLINE_BINARY) + " heal --sandbox --sandbox-name ck2").c_str(), "r");
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, heal)) out += buf;
  EXPECT_EQ(pclose(heal), 0) << out;
  EXPECT_NE(out.find("restored the vDSO clock of pid"), std::string::npos) << out;
  EXPECT_NEAR(file_offset(kDir + "/c.out"), 0, 0.5) << "after faultline heal";
  measured = node().check({kNodeClockHelper, "measure", std::string(kNodeStorage) + "/nemesis"});
  EXPECT_NEAR(observed_by(measured, "etcd"), 0, 0.5) << measured;
  EXPECT_NEAR(observed_by(measured, "rt"), 0, 0.5) << measured;
  std::ignore = node().exec({"kill", "-9", etcd_pid});  // the etcd target's, left running by the killed controller
}

}  // namespace
}  // namespace faultline
