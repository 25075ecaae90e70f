// End-to-end tests of the faultline binary against the in-memory target: exit codes, the run
// directory, bad input, Ctrl-C, and elle-cli compatible checking.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/core/history_io.h"
#include "harness/core/json.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

struct Result {
  int code;
  std::string out;
};

// Runs `faultline ARGS` through the shell, capturing stdout and stderr together.
Result faultline(const std::string& args) {
  std::string cmd = std::string(FAULTLINE_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = fs::temp_directory_path() / ("faultline-cli-" + std::to_string(getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(store_);
  }
  void TearDown() override { fs::remove_all(store_); }
  std::string store() const { return store_.string(); }
  fs::path store_;
};

Json read_json(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return Json::parse(ss.str());
}

TEST_F(Cli, TestRunsForTheTimeLimitAndWritesTheRunDirectory) {
  auto start = std::chrono::steady_clock::now();
  Result r = faultline("test --time-limit 1 --seed 3 --store " + store());
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_GE(took, 1.0);
  fs::path latest = store_ / "latest";
  for (const char* f : {"spec.json", "history.jsonl", "results.json", "faultline.log", "report.html"})
    EXPECT_TRUE(fs::exists(latest / f)) << f;
  Json results = read_json(latest / "results.json");
  EXPECT_EQ(results["valid"], "valid");
  EXPECT_EQ(results["test"]["seed"], 3);
  History h = read_history_file(latest / "history.jsonl");
  EXPECT_GT(h.size(), 100u);
  EXPECT_NO_THROW(validate(h, "history"));
  EXPECT_NE(r.out.find("seed 3"), std::string::npos) << r.out;
}

TEST_F(Cli, StaleReadBugIsCaughtWithExitCode1) {
  Result r = faultline("test --time-limit 1 --seed 1 --target-opt 'bugs=[\"stale-read\"]' --store " + store());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_EQ(read_json(store_ / "latest" / "results.json")["valid"], "invalid");
}

TEST_F(Cli, LostWriteBugIsCaught) {
  Result r = faultline("test --time-limit 1 --seed 2 --target-opt 'bugs=[\"lost-write\"]' --store " + store());
  EXPECT_EQ(r.code, 1) << r.out;
}

TEST_F(Cli, SpecFileAndFlagsOverride) {
  fs::create_directories(store_);
  std::ofstream(store_ / "spec.json") << R"({"name":"from-file","time-limit":30,"concurrency":"1n","nodes":["a","b"]})";
  Result r = faultline("test --spec " + (store_ / "spec.json").string() + " --time-limit 0.5 --store " + store());
  ASSERT_EQ(r.code, 0) << r.out;
  Json spec = read_json(store_ / "latest" / "spec.json");
  EXPECT_EQ(spec["name"], "from-file");
  EXPECT_EQ(spec["time-limit"], 0.5);
  EXPECT_TRUE(fs::exists(store_ / "from-file"));
}

TEST_F(Cli, BadInputExits254WithOneClearLine) {
  Result bad_flag = faultline("test --time-limt 1");
  EXPECT_EQ(bad_flag.code, 254) << bad_flag.out;
  Result bad_value = faultline("test --concurrency zero --store " + store());
  EXPECT_EQ(bad_value.code, 254);
  EXPECT_NE(bad_value.out.find("\"concurrency\""), std::string::npos) << bad_value.out;
  Result workload = faultline("test --workload nope --store " + store());
  EXPECT_EQ(workload.code, 254);
  EXPECT_NE(workload.out.find("known: "), std::string::npos) << workload.out;
  EXPECT_NE(workload.out.find("register"), std::string::npos) << workload.out;
  Result target = faultline("test --target nope --store " + store());
  EXPECT_EQ(target.code, 254);
  fs::create_directories(store_);
  std::ofstream(store_ / "bad.json") << "{\"time-limit\": ";
  Result spec = faultline("test --spec " + (store_ / "bad.json").string());
  EXPECT_EQ(spec.code, 254) << spec.out;
}

TEST_F(Cli, UnwritableStoreIsAClearError) {
  Result r = faultline("test --time-limit 1 --store /proc/faultline-store");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("--store"), std::string::npos) << r.out;
}

TEST_F(Cli, InterruptRunsTheFinalPhaseAndKeepsTheHistory) {
  std::string cmd = std::string(FAULTLINE_BINARY);
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(cmd.c_str(), cmd.c_str(), "test", "--time-limit", "60", "--rate", "500", "--store", store().c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto start = std::chrono::steady_clock::now();
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(took, 10.0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  Json results = read_json(store_ / "latest" / "results.json");
  EXPECT_EQ(results["test"]["interrupted"], true);
  History h = read_history_file(store_ / "latest" / "history.jsonl");
  EXPECT_GT(h.size(), 10u);
  EXPECT_NO_THROW(validate(h, "history"));
}

TEST_F(Cli, AnalyzeRechecksAStoredRun) {
  ASSERT_EQ(faultline("test --time-limit 0.5 --store " + store()).code, 0);
  Result r = faultline("analyze " + (store_ / "latest").string());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(faultline("analyze " + store()).code, 254);
}

TEST(CliCheck, ElleCliCompatibleFirstLineAndExitCodes) {
  std::string data = FAULTLINE_DATA_DIR;
  std::string good = data + "/knossos/cas-register/good/memstress3-0.edn";
  std::string bad = data + "/knossos/cas-register/bad/cas-failure.edn";
  Result ok = faultline("check --model cas-register " + good);
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_EQ(ok.out.rfind(good + "\ttrue\n", 0), 0u) << ok.out;
  Result invalid = faultline("check --model cas-register " + bad);
  EXPECT_EQ(invalid.code, 1) << invalid.out;
  EXPECT_EQ(invalid.out.rfind(bad + "\tfalse\n", 0), 0u) << invalid.out;
}

TEST_F(Cli, ExportRoundTripsThroughEdn) {
  ASSERT_EQ(faultline("test --time-limit 0.3 --store " + store()).code, 0);
  Result edn = faultline("export " + (store_ / "latest" / "history.jsonl").string());
  ASSERT_EQ(edn.code, 0);
  std::ofstream(store_ / "h.edn") << edn.out;
  History a = read_history_file(store_ / "latest" / "history.jsonl");
  History b = read_history_file(store_ / "h.edn");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].value, b[i].value);
    EXPECT_EQ(a[i].process, b[i].process);
  }
  Result check = faultline("check --model cas-register " + (store_ / "h.edn").string());
  EXPECT_EQ(check.code, 0) << check.out;
}

TEST_F(Cli, CorruptHistoryIsOneLineAndExit254) {
  fs::create_directories(store_);
  std::ofstream(store_ / "h.jsonl") << "{\"type\":\"invoke\",\"process\":0,\"f\":\"read\"}\n{oops\n{}\n";
  Result r = faultline("check --model stats " + (store_ / "h.jsonl").string());
  EXPECT_EQ(r.code, 254);
  EXPECT_NE(r.out.find("h.jsonl:2"), std::string::npos) << r.out;
  Result unknown = faultline("check --model nope " + (store_ / "h.jsonl").string());
  EXPECT_EQ(unknown.code, 254);
}

}  // namespace
}  // namespace faultline
