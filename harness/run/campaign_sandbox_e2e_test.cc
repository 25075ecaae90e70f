// Sandboxes side by side: two campaigns at once on this machine, each with a sandbox test (Redis
// under partitions) drawn from the same pool. Asserted from outside while they run: both
// sandboxes are up at the same time on different subnets, and the DROP rules inside each
// sandbox's nodes name only that sandbox's addresses. After: nothing of either is left.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
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

TEST(SandboxesSideBySide, TwoCampaignsRunSandboxCellsAtOnceWithoutTouchingEachOther) {
  ASSERT_EQ(geteuid(), 0u) << "sandboxes need root";
  fs::path dir = fs::temp_directory_path() / ("faultline-side-by-side-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Json file = {
      {"base",
       {{"sandbox", "fl"}, {"time-limit", 6}, {"concurrency", 3}, {"nemesis", {"partition"}}, {"nemesis-interval", 1}}},
      {"matrix",
       {{"targets",
         {{{"name", "redis"},
           {"target", "spec"},
           {"target-options", {{"file", std::string(FAULTLINE_SOURCE_DIR) + "/targets/redis/redis.json"}}}}}},
        {"workloads", {"cas-register"}},
        {"seeds", {1}}}}};
  std::vector<pid_t> pids;
  for (int i = 0; i < 2; ++i) {
    file["name"] = "side-" + std::to_string(i);
    fs::path path = dir / ("c" + std::to_string(i) + ".json");
    std::ofstream(path) << file.dump();
    pid_t pid = fork();
    if (pid == 0) {
      std::string cmd = std::string(FAULTLINE_BINARY) + " campaign '" + path.string() +
                        "' --sandbox-pool cp:10.82.0.0/24:4:3 --store '" +
                        (dir / ("store" + std::to_string(i))).string() + "' >'" +
                        (dir / ("out" + std::to_string(i))).string() + "' 2>&1";
      execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
      _exit(127);
    }
    pids.push_back(pid);
  }
  // Sample from outside while they run: namespaces, and the DROP rules inside each node.
  bool both_up = false;
  int rules_seen[2] = {0, 0};
  std::string foreign;
  auto alive = [&] {
    for (pid_t p : pids)
      if (waitpid(p, nullptr, WNOHANG) == 0) return true;
    return false;
  };
  std::vector<int> codes;
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 120s) {
    std::string ns = shell_output("ip netns list");
    bool a = ns.find("cp-n1") != std::string::npos, b = ns.find("cp2-n1") != std::string::npos;
    both_up |= a && b;
    const char* names[2] = {"cp", "cp2"};
    const char* nets[2] = {"10.82.0.", "10.82.1."};
    for (int s = 0; s < 2; ++s)
      for (int node = 1; node <= 3; ++node) {
        std::string rules = shell_output(std::string("ip netns exec ") + names[s] + "-n" + std::to_string(node) +
                                         " iptables -w -S FAULTLINE-PARTITION 2>/dev/null");
        std::istringstream lines(rules);
        for (std::string line; std::getline(lines, line);) {
          std::smatch m;
          if (!std::regex_search(line, m, std::regex("-s ([0-9.]+)/32 .*-j DROP"))) continue;
          ++rules_seen[s];
          if (m[1].str().rfind(nets[s], 0) != 0) foreign += names[s] + std::string(": ") + line + "\n";
        }
      }
    if (!alive()) break;
    std::this_thread::sleep_for(100ms);
  }
  for (pid_t p : pids) {
    int status = 0;
    if (waitpid(p, &status, WNOHANG) == 0) {
      kill(p, SIGKILL);
      waitpid(p, &status, 0);
    }
  }
  std::string out0 = file_text(dir / "out0"), out1 = file_text(dir / "out1");
  EXPECT_TRUE(both_up) << out0 << out1;
  EXPECT_GT(rules_seen[0], 0) << out0;
  EXPECT_GT(rules_seen[1], 0) << out1;
  EXPECT_EQ(foreign, "");
  std::set<std::string> sandboxes;
  for (int i = 0; i < 2; ++i) {
    Json index = read_json_file(dir / ("store" + std::to_string(i)) / "campaigns" / "latest" / "index.json");
    ASSERT_EQ(index["tests"].size(), 1u);
    EXPECT_NE(index["tests"][0]["status"], "error") << index["tests"][0]["explanation"];
    Json spec = read_json_file(fs::path(index["tests"][0]["run_dir"].get<std::string>()) / "spec.json");
    sandboxes.insert(spec.value("sandbox", ""));
  }
  EXPECT_EQ(sandboxes, (std::set<std::string>{"cp", "cp2"}));  // one sandbox each, from the pool
  EXPECT_EQ(shell_output("ip netns list | grep -E '^cp[0-9]*-n' ; ip -o link show | grep -E ': cp[0-9]*-(br|n)'"), "");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace faultline
