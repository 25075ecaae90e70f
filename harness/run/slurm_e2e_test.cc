// A campaign on a real single-machine Slurm cluster (.ci/slurm-local.sh: munged, slurmctld and
// slurmd on loopback with a generated slurm.conf, torn down after): three memory-target tests and
// a Redis test on a sandbox of its own as one job array, one memory test cancelled with scancel
// while it runs. Asserted from outside: the
// merged index has all three rows, the cancelled one a harness error with Slurm's reason.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "harness/core/files.h"
#include "harness/core/json.h"
#include "harness/core/testing/shell.h"
#include "results/store.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class SlurmCampaign : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "the Slurm test starts slurmd and munged: run it as root";
    dir_ = fs::temp_directory_path() / ("faultline-slurm-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string up = shell_output(std::string(FAULTLINE_SOURCE_DIR) + "/.ci/slurm-local.sh start '" +
                                  (dir_ / "cluster").string() + "' 2 2>&1");
    ASSERT_NE(up.find("SLURM_CONF="), std::string::npos) << up;
    setenv("SLURM_CONF", (dir_ / "cluster" / "slurm.conf").c_str(), 1);
  }
  void TearDown() override {
    std::system(
        (std::string(FAULTLINE_SOURCE_DIR) + "/.ci/slurm-local.sh stop '" + (dir_ / "cluster").string() + "'").c_str());
    fs::remove_all(dir_);
  }
  // Starts `faultline campaign c.json ARGS` in its own process group, its output into out.txt.
  pid_t start_campaign(const std::string& args) {
    std::string cmd = "exec " + std::string(FAULTLINE_BINARY) + " campaign '" + (dir_ / "c.json").string() + "' " +
                      args + " >'" + log().string() + "' 2>&1";
    pid_t pid = fork();
    if (pid == 0) {
      setpgid(0, 0);
      execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
      _exit(127);
    }
    return pid;
  }
  // Waits for the campaign to end until `start` + `limit`; past that, kills it and fails.
  void wait_for(pid_t pid, std::chrono::steady_clock::time_point start, std::chrono::seconds limit, int& status) {
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() - start > limit) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        FAIL() << "the Slurm campaign did not end\n" << file_text(log());
      }
      std::this_thread::sleep_for(200ms);
    }
  }
  fs::path log() const { return dir_ / "out.txt"; }
  fs::path dir_;
};

TEST_F(SlurmCampaign, AJobArrayWithOneTaskCancelledMidRunGivesAHarnessErrorRow) {
  Json file = Json::parse(R"({
    "name": "slurm-ci",
    "base": {"time-limit": 2, "concurrency": 3},
    "matrix": {
      "targets": ["memory", {"name": "memory-stale", "target": "memory", "target-options": {"bugs": ["stale-read"]}},
                  {"name": "memory-victim", "target": "memory"},
                  {"name": "redis", "target": "spec", "sandbox": "fl", "nemesis": ["partition"], "nemesis-interval": 1,
                   "target-options": {"file": "@REDIS@"}}],
      "workloads": ["register"],
      "seeds": [5]
    },
    "overrides": [{"match": {"target": "memory-victim"}, "spec": {"time-limit": 120}}]
  })");
  file["matrix"]["targets"][3]["target-options"]["file"] =
      std::string(FAULTLINE_SOURCE_DIR) + "/targets/redis/redis.json";
  std::ofstream(dir_ / "c.json") << file.dump();
  fs::path store = dir_ / "shared", log = this->log();
  auto start = std::chrono::steady_clock::now();
  pid_t pid =
      start_campaign("--slurm --max-parallel 2 --sandbox-pool cp3:10.82.2.0/24:2:3 --store '" + store.string() + "'");
  // Once the victim's task has started its test, cancel it like a dying node would end it.
  std::smatch m;
  std::string job;
  bool cancelled = false;
  while (std::chrono::steady_clock::now() - start < 90s && !cancelled) {
    std::string out = file_text(log);
    if (job.empty() && std::regex_search(out, m, std::regex("Slurm job array ([0-9]+)"))) job = m[1];
    // The task has started its test once its shard wrote the index it writes at the start.
    if (!job.empty() && shell_output("squeue -h -r -j " + job + "_2 -o %T").find("RUNNING") != std::string::npos &&
        !shell_output("ls '" + store.string() + "'/slurm/*/task-2/campaigns/latest/index.json 2>/dev/null").empty()) {
      std::this_thread::sleep_for(2s);
      std::system(("scancel " + job + "_2").c_str());
      cancelled = true;
    }
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(cancelled) << file_text(log);
  int status = 0;
  ASSERT_NO_FATAL_FAILURE(wait_for(pid, start, 150s, status));
  std::string out = file_text(log);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 1) << out;                  // memory-stale is invalid
  EXPECT_NE(out.find("running"), std::string::npos) << out;  // squeue progress lines
  EXPECT_NE(out.find(" 1 error"), std::string::npos) << out;

  fs::path merged = fs::canonical(store / "campaigns" / "latest");
  Json index = read_json_file(merged / "index.json");
  ASSERT_EQ(index["tests"].size(), 4u) << index.dump(2);
  EXPECT_EQ(index["tests"][0]["status"], "valid");
  EXPECT_EQ(index["tests"][1]["status"], "invalid");
  const Json& victim = index["tests"][2];
  EXPECT_EQ(victim["cell"], "memory-victim/register/none");
  EXPECT_EQ(victim["status"], "error");
  std::string why = victim["explanation"];
  EXPECT_NE(why.find("Slurm task " + job + "_2 ended CANCELLED"), std::string::npos) << why;
  for (int i : {0, 1, 3})
    EXPECT_TRUE(fs::is_regular_file(merged / index["tests"][i]["report"].get<std::string>())) << index.dump(2);
  // The sandbox test ran in a task as root on a sandbox of its own from the pool, then tore it down.
  const Json& redis = index["tests"][3];
  EXPECT_TRUE(redis["status"] == "valid" || redis["status"] == "invalid") << redis.dump(2);
  ASSERT_TRUE(redis.contains("report")) << redis.dump(2);
  EXPECT_EQ(
      read_json_file(merged / fs::path(redis["report"].get<std::string>()).parent_path() / "spec.json")["sandbox"],
      "cp3");
  EXPECT_EQ(shell_output("ip netns list | grep -E '^cp3-n'"), "");
  EXPECT_NE(file_text(merged / "junit.xml").find("tests=\"4\""), std::string::npos);
}

TEST_F(SlurmCampaign, CtrlCCancelsTheArrayAndStillMergesWhatFinished) {
  Json file = Json::parse(R"({
    "name": "slurm-interrupt",
    "base": {"time-limit": 1, "concurrency": 2},
    "matrix": {"targets": ["memory", {"name": "memory-long", "target": "memory"}], "workloads": ["register"], "seeds": [1]},
    "overrides": [{"match": {"target": "memory-long"}, "spec": {"time-limit": 300}}]
  })");
  std::ofstream(dir_ / "c.json") << file.dump();
  fs::path store = dir_ / "shared", log = this->log();
  pid_t pid = start_campaign("--slurm --store '" + store.string() + "'");
  auto start = std::chrono::steady_clock::now();
  std::smatch m;
  std::string job;
  // Ctrl-C once the short test is merged-ready (its task left the queue) and the long one runs.
  while (std::chrono::steady_clock::now() - start < 90s) {
    std::string out = file_text(log);
    if (job.empty() && std::regex_search(out, m, std::regex("Slurm job array ([0-9]+)"))) job = m[1];
    if (!job.empty() && shell_output("squeue -h -r -j " + job + " -o '%i %T'") == job + "_1 RUNNING\n") break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_FALSE(job.empty()) << file_text(log);
  kill(pid, SIGINT);
  int status = 0;
  ASSERT_NO_FATAL_FAILURE(wait_for(pid, start, 120s, status));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 100s);  // not the long test's 300 s
  std::string out = file_text(log);
  EXPECT_NE(out.find("scancel"), std::string::npos) << out;
  EXPECT_EQ(shell_output("squeue -h -r -j " + job + " -o %i"), "");  // nothing of the array left
  Json index = read_json_file(store / "campaigns" / "latest" / "index.json");
  ASSERT_EQ(index["tests"].size(), 2u) << index.dump(2);
  EXPECT_EQ(index["tests"][0]["status"], "valid");
  EXPECT_EQ(index["tests"][1]["status"], "error");
  EXPECT_NE(index["tests"][1]["explanation"].get<std::string>().find("CANCELLED"), std::string::npos) << index.dump(2);
}

TEST_F(SlurmCampaign, RetryResubmitsADeadTaskAndItsSecondRunCounts) {
  Json file = Json::parse(R"({
    "name": "slurm-retry",
    "base": {"time-limit": 1, "concurrency": 2},
    "matrix": {"targets": ["memory", {"name": "memory-victim", "target": "memory"}], "workloads": ["register"], "seeds": [2]},
    "overrides": [{"match": {"target": "memory-victim"}, "spec": {"time-limit": 6}}]
  })");
  std::ofstream(dir_ / "c.json") << file.dump();
  fs::path store = dir_ / "shared", log = this->log();
  pid_t pid = start_campaign("--slurm --retry 1 --store '" + store.string() + "'");
  auto start = std::chrono::steady_clock::now();
  std::smatch m;
  std::string job;
  bool cancelled = false;
  while (std::chrono::steady_clock::now() - start < 90s && !cancelled) {
    std::string so_far = file_text(log);
    if (job.empty() && std::regex_search(so_far, m, std::regex("Slurm job array ([0-9]+)"))) job = m[1];
    if (!job.empty() && shell_output("squeue -h -r -j " + job + "_1 -o %T").find("RUNNING") != std::string::npos &&
        !shell_output("ls '" + store.string() + "'/slurm/*/task-1/campaigns/latest/index.json 2>/dev/null").empty()) {
      std::system(("scancel --signal=KILL " + job + "_1").c_str());  // as if its node died
      cancelled = true;
    }
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(cancelled) << file_text(log);
  int status = 0;
  ASSERT_NO_FATAL_FAILURE(wait_for(pid, start, 150s, status));
  std::string out = file_text(log);
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("resubmitted 1 dead tasks (1)"), std::string::npos) << out;
  Json index = read_json_file(store / "campaigns" / "latest" / "index.json");
  ASSERT_EQ(index["tests"].size(), 2u) << index.dump(2);
  EXPECT_EQ(index["tests"][0]["status"], "valid");
  EXPECT_EQ(index["tests"][1]["status"], "valid") << index.dump(2);
  EXPECT_GT(index["tests"][1]["duration_s"].get<double>(), 5.0);  // the full second run, not the killed one
}

}  // namespace
}  // namespace faultline
