// End-to-end tests of VM nodes: three qemu VMs with their own kernels, booted by `sandbox up --vm`.
// Needs root and qemu. Uses its own sandbox (name vm, subnet 10.83.0.0/24), never the user's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "harness/control/fan_out.h"
#include "harness/control/local_session.h"
#include "harness/control/remote.h"
#include "harness/core/error.h"
#include "harness/sandbox/sandbox.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool have_qemu() { return LocalSession().exec_script("command -v qemu-system-x86_64").exit_code == 0; }

SandboxOptions vm_sandbox() {
  SandboxOptions options;
  options.name = "vm";
  options.subnet = "10.83.0.0/24";
  options.nodes = 3;
  options.vm = true;
  return options;
}

class VmEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    if (!have_qemu()) GTEST_SKIP() << "qemu-system-x86_64 is not installed (Debian package qemu-system-x86): VM tests skipped";
    auto start = std::chrono::steady_clock::now();
    sandbox_up(vm_sandbox());
    std::cerr << "3 VM nodes up in " << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count()
              << " s, acceleration " << sandbox_vm_accel(default_sandbox_dir("vm")) << "\n";
  }
  void TearDown() override {
    if (have_qemu()) sandbox_down(vm_sandbox());
  }
};

const testing::Environment* const environment = testing::AddGlobalTestEnvironment(new VmEnvironment);

std::vector<NodeSpec> nodes() { return load_sandbox_nodes(default_sandbox_dir("vm")); }

std::string on_host(const std::string& script) { return LocalSession().exec_script(script).out; }

// Running, not merely a zombie waiting for its parent (qemu daemonizes, so we are not it).
bool running(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto state = line.find(") ");
  return state != std::string::npos && line.at(state + 2) != 'Z';
}

TEST(VmSandbox, EveryNodeAnswersOverSshWithItsOwnHostnameKernelAndDisk) {
  auto all = nodes();
  auto results = fan_out(all, [](const NodeSpec& node) {
    return open_session(node)->check_script(
        "hostname; cat /proc/sys/kernel/random/boot_id; findmnt -n -o SOURCE,FSTYPE " + std::string(kNodeStorage) +
        "; ip -4 -o addr show eth0 | awk '{print $4}'");
  });
  std::set<std::string> boot_ids;
  std::string host_boot_id = on_host("cat /proc/sys/kernel/random/boot_id");
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].value) << results[i].error->what();
    std::istringstream lines(*results[i].value);
    std::string hostname, boot_id, storage, address;
    std::getline(lines, hostname);
    std::getline(lines, boot_id);
    std::getline(lines, storage);
    std::getline(lines, address);
    EXPECT_EQ(hostname, "n" + std::to_string(i + 1));
    EXPECT_NE(boot_id + "\n", host_boot_id);  // its own kernel, not the controller's
    boot_ids.insert(boot_id);
    EXPECT_EQ(storage, "/dev/vda ext4");
    EXPECT_EQ(address, "10.83.0." + std::to_string(11 + i) + "/24");
  }
  EXPECT_EQ(boot_ids.size(), 3u);
}

TEST(VmSandbox, EachNodeHasItsOwnKernelClock) {
  // Step n1's clock an hour ahead (the guest's own clock): n2 and the controller do not move.
  auto n1 = open_session(nodes().at(0));
  auto n2 = open_session(nodes().at(1));
  long before = time(nullptr);
  n1->check_script("date -s @$(( $(date +%s) + 3600 )) >/dev/null");
  long n1_now = std::stol(n1->check({"date", "+%s"}));
  long n2_now = std::stol(n2->check({"date", "+%s"}));
  long host_now = time(nullptr);
  n1->check_script("date -s @$(( $(date +%s) - 3600 )) >/dev/null");
  EXPECT_NEAR(n1_now - host_now, 3600, 30);
  EXPECT_NEAR(n2_now - host_now, 0, 30);
  EXPECT_NEAR(host_now - before, 0, 60);
  EXPECT_NEAR(std::stol(n1->check({"date", "+%s"})) - time(nullptr), 0, 30);
}

TEST(VmSandbox, NodesReachEachOtherAndTheControllerSeesTheirProcesses) {
  auto n1 = open_session(nodes().at(0));
  EXPECT_EQ(n1->exec({"ping", "-c", "1", "-W", "5", "n2"}).exit_code, 0);
  auto statuses = sandbox_status(vm_sandbox());
  ASSERT_EQ(statuses.size(), 3u);
  for (const auto& status : statuses) {
    EXPECT_TRUE(status.healthy) << status.problem;
    EXPECT_NE(status.processes.find("sshd"), std::string::npos);
  }
}

TEST(VmSandbox, UpAgainIsANoOpAndDownLeavesNothing) {
  auto start = std::chrono::steady_clock::now();
  sandbox_up(vm_sandbox());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  std::string pids = on_host("ip netns pids vm-net");
  ASSERT_FALSE(pids.empty());
  sandbox_down(vm_sandbox());
  std::istringstream each(pids);
  for (std::string pid; each >> pid;) EXPECT_FALSE(running(pid)) << "qemu " << pid << " survives down";
  EXPECT_EQ(on_host("ip netns list | grep -w vm-net"), "");
  EXPECT_EQ(on_host("ip -o link show | grep -w 'vm-br'"), "");
  EXPECT_EQ(on_host("pgrep -f '[q]emu-system.*-name vm-n' || true"), "");
  EXPECT_FALSE(fs::exists(default_sandbox_dir("vm")));
}

}  // namespace
}  // namespace faultline
