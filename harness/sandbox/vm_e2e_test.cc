// End-to-end tests of VM nodes: three qemu VMs with their own kernels, booted by `sandbox up --vm`.
// Needs root and qemu. Uses its own sandbox (name vm, subnet 10.83.0.0/24), never the user's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "harness/control/fan_out.h"
#include "harness/control/local_session.h"
#include "harness/control/node_check.h"
#include "harness/control/remote.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "harness/sandbox/sandbox.h"
#include "nemesis/clock.h"
#include "nemesis/heal.h"
#include "nemesis/net.h"
#include "nemesis/nodes.h"
#include "nemesis/package.h"
#include "nemesis/power.h"

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
    if (!have_qemu())
      GTEST_SKIP() << "qemu-system-x86_64 is not installed (Debian package qemu-system-x86): VM tests skipped";
    auto start = std::chrono::steady_clock::now();
    sandbox_up(vm_sandbox());
    std::cerr << "3 VM nodes up in "
              << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count()
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

TEST(VmSandbox, EachNodeHasItsOwnKernelClockKeptByNtp) {
  // Step n1's clock an hour ahead (the guest's own clock): n2 and the controller do not move, and
  // n1's NTP daemon (chronyd, synced to the controller) steps it back.
  auto n1 = open_session(nodes().at(0));
  auto n2 = open_session(nodes().at(1));
  long before = time(nullptr);
  long n1_now = std::stol(n1->check_script("date -s @$(( $(date +%s) + 3600 )) >/dev/null; date +%s"));
  long n2_now = std::stol(n2->check({"date", "+%s"}));
  long host_now = time(nullptr);
  EXPECT_NEAR(n1_now - host_now, 3600, 30);
  EXPECT_NEAR(n2_now - host_now, 0, 30);
  EXPECT_NEAR(host_now - before, 0, 60);
  double offset = 3600;
  for (int i = 0; i < 30 && std::abs(offset) > 0.1; ++i) {
    std::this_thread::sleep_for(500ms);
    offset = clock_offset(*n1);
  }
  EXPECT_LT(std::abs(offset), 0.1) << "NTP did not bring n1 back";
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

// The node n<i> logged in as `user` with the sandbox's key (or none), as a real host's login would.
NodeSpec as_user(int i, const std::string& user, bool key = true, const std::string& password = "") {
  NodeSpec node = nodes().at(i - 1);
  node.user = user;
  if (!key) node.key_path.clear();
  node.password = password;
  return node;
}

std::string sandbox_password() {
  std::ifstream in(default_sandbox_dir("vm") / "password");
  std::string password;
  std::getline(in, password);
  return password;
}

int run_cli(const std::string& args, std::string* out, std::chrono::minutes timeout = std::chrono::minutes(3)) {
  auto result = LocalSession().exec_script(std::string(FAULTLINE_BINARY) + " " + args + " 2>&1", {.timeout = timeout});
  *out = result.out;
  return result.exit_code;
}

TEST(VmRealHost, KeyLoginWithNopasswdSudoRunsEveryCommandAndCopyAsRoot) {
  auto admin = open_session(as_user(1, "admin"));
  EXPECT_TRUE(admin->uses_sudo());
  EXPECT_EQ(admin->check({"id", "-un"}, {.as_login_user = true}), "admin\n");
  EXPECT_EQ(admin->check({"id", "-u"}), "0\n");  // through sudo -n
  // A privileged command that fails without root: faultline's own iptables chain.
  admin->check_script("iptables -w -N FL-SUDO-PROBE && iptables -w -X FL-SUDO-PROBE");
  EXPECT_NE(admin->exec_script("iptables -w -n -L INPUT", {.as_login_user = true}).exit_code, 0);
  // Copies into and out of root's directories go through sudo too.
  fs::path local = fs::temp_directory_path() / "vm-sudo-copy";
  { std::ofstream(local) << "copied through sudo\n"; }
  std::string remote = std::string(kNodeStorage) + "/sudo-copy";
  admin->upload(local, remote);
  EXPECT_EQ(admin->check({"stat", "-c", "%U %s", remote}), "root 20\n");
  admin->check({"chmod", "600", remote});
  fs::remove(local);
  admin->download(remote, local);
  std::ifstream in(local);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "copied through sudo");
  admin->check({"rm", remote});
  fs::remove(local);
  NodeCheck check = check_node(*admin);
  EXPECT_TRUE(check.ok()) << describe(check);
  EXPECT_EQ(check.privilege, "sudo");
}

TEST(VmRealHost, PasswordLoginAndSudoWithThePassword) {
  auto pwuser = open_session(as_user(2, "pwuser", /*key=*/false, sandbox_password()));
  EXPECT_EQ(pwuser->check({"id", "-un"}, {.as_login_user = true}), "pwuser\n");
  EXPECT_EQ(pwuser->check({"id", "-u"}), "0\n");  // sudo -S with the password on stdin
  // The password never reaches the command's own stdin.
  EXPECT_EQ(pwuser->check({"cat"}, {.stdin_data = "only this"}), "only this");
  NodeCheck check = check_node(*pwuser);
  EXPECT_TRUE(check.ok()) << describe(check);
  EXPECT_EQ(check.privilege, "sudo with password");
  EXPECT_THROW(open_session(as_user(2, "pwuser", false, "wrong-password")), Error);
}

TEST(VmRealHost, AgentLogin) {
  fs::path socket = fs::temp_directory_path() / ("vm-agent-" + std::to_string(getpid()));
  std::string pid = on_host("ssh-agent -a " + socket.string() + " | sed -n 's/^SSH_AGENT_PID=\\([0-9]*\\);.*/\\1/p'");
  ASSERT_FALSE(pid.empty());
  const char* previous = std::getenv("SSH_AUTH_SOCK");
  std::string saved = previous ? previous : "";
  setenv("SSH_AUTH_SOCK", socket.c_str(), 1);
  std::string added = on_host("ssh-add " + nodes().at(0).key_path + " 2>&1; echo rc=$?");
  std::string who;
  try {
    who = open_session(as_user(3, "admin", /*key=*/false))->check({"id", "-un"}, {.as_login_user = true});
  } catch (const Error& e) {
    who = e.what();
  }
  on_host("kill " + pid);
  if (previous)
    setenv("SSH_AUTH_SOCK", saved.c_str(), 1);
  else
    unsetenv("SSH_AUTH_SOCK");
  fs::remove(socket);
  EXPECT_NE(added.find("rc=0"), std::string::npos) << added;
  EXPECT_EQ(who, "admin\n");
}

TEST(VmRealHost, RefusedOrMissingSudoIsOneLineNamingTheNodeAndTheCommand) {
  // With its password sudo gets far enough to say why it refuses.
  NodeCheck nosudo = check_node(*open_session(as_user(1, "nosudo", true, sandbox_password())));
  ASSERT_EQ(nosudo.problems.size(), 1u) << describe(nosudo);
  EXPECT_EQ(nosudo.problems[0].rfind("n1: sudo refuses `iptables -w -n -L INPUT`: ", 0), 0u) << nosudo.problems[0];
  EXPECT_NE(nosudo.problems[0].find("not in the sudoers file"), std::string::npos) << nosudo.problems[0];
  // pwuser's sudo needs its password: without one sudo -n refuses.
  NodeCheck no_password = check_node(*open_session(as_user(2, "pwuser")));
  ASSERT_EQ(no_password.problems.size(), 1u) << describe(no_password);
  EXPECT_NE(no_password.problems[0].find("n2: sudo refuses"), std::string::npos) << no_password.problems[0];
  EXPECT_NE(no_password.problems[0].find("password is required"), std::string::npos) << no_password.problems[0];
}

double now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

const std::string kClockDir = std::string(kNodeStorage) + "/clocktest";

// Makes etcd on the node write a log line now (a put, then a compaction at its revision) and
// returns that line's "ts" as the node parses it minus the controller's time before the request,
// and how long the request took: the ts lies within that window.
std::pair<double, double> etcd_log_offset(Session& node) {
  double before = now();
  std::string script =
      "put=$(curl -sf -X POST http://127.0.0.1:2379/v3/kv/put -d '{\"key\":\"Y2s=\",\"value\":\"MQ==\"}')\n"
      "rev=$(echo \"$put\" | sed -n 's/.*\"revision\":\"\\([0-9]*\\)\".*/\\1/p')\n"
      "curl -sf -X POST http://127.0.0.1:2379/v3/kv/compaction -d \"{\\\"revision\\\":$rev}\" >/dev/null\n"
      "echo done\n";
  node.check_script(script);
  double window = now() - before;
  std::string ts_script =
      "for i in 1 2 3 4 5 6 7 8 9 10; do\n"
      "  ts=$(grep '\"compact' " +
      kClockDir +
      "/etcd.log | tail -n 1 | sed -n 's/.*\"ts\":\"\\([^\"]*\\)\".*/\\1/p')\n"
      "  [ -n \"$ts\" ] && break; sleep 0.3\n"
      "done\n"
      "date -d \"$ts\" +%s.%N\n";
  return {std::stod(node.check_script(ts_script)) - before, window};
}

// etcd's log ts is `expected` seconds ahead of the controller, give or take the request's time.
void expect_etcd_offset(Session& node, double expected, const std::string& when) {
  auto [offset, window] = etcd_log_offset(node);
  std::cerr << when << ": etcd's own log ts is " << offset << " s ahead (request took " << window << " s)\n";
  EXPECT_GT(offset, expected - 0.5) << when;
  EXPECT_LT(offset, expected + window + 0.5) << when;
}

TEST(VmRealHost, SystemClockBackendThroughSudoReachesEtcdAndResetsCloseToTheController) {
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<Session*> pointers;
  for (int i = 1; i <= 3; ++i) {
    sessions.push_back(open_session(as_user(i, "admin")));
    pointers.push_back(sessions.back().get());
  }
  Session& n1 = *sessions[0];
  n1.check_script(
      "rm -rf " + kClockDir + " && mkdir -p " + kClockDir + " && setsid -f sh -c " +
      shell_quote("echo $$ > " + kClockDir + "/etcd.pid; exec etcd --name ck --data-dir " + kClockDir +
                  "/data --logger zap --log-outputs stderr --listen-client-urls http://127.0.0.1:2379 "
                  "--advertise-client-urls http://127.0.0.1:2379 --listen-peer-urls http://127.0.0.1:2380 "
                  "--initial-advertise-peer-urls http://127.0.0.1:2380 --initial-cluster ck=http://127.0.0.1:2380") +
      " </dev/null >" + kClockDir + "/etcd.log 2>&1");
  bool healthy = false;
  for (int i = 0; i < 120 && !healthy; ++i) {
    healthy = n1.exec({"curl", "-sf", "http://127.0.0.1:2379/health"}).exit_code == 0;
    if (!healthy) std::this_thread::sleep_for(500ms);
  }
  ASSERT_TRUE(healthy) << n1.exec({"tail", "-n", "5", kClockDir + "/etcd.log"}).out;
  for (auto& session : sessions)
    EXPECT_EQ(session->exec({"pgrep", "-x", "chronyd"}).exit_code, 0) << session->node() << ": no NTP";
  // A TCG guest's clock drifts by seconds under load: offsets are judged against this baseline.
  double base = clock_offset(n1), base_n2 = clock_offset(*sessions[1]);
  expect_etcd_offset(n1, base, "before the bump");

  auto clock = clock_nemesis(NemesisNodes(pointers), clock_backend_for(false, Json::object()), 7);
  clock->setup();
  Op bumped = clock->invoke(nemesis_op("bump-clock", {{"nodes", {"n1"}}, {"delta", 60}}));
  const Json& offsets = bumped.value["clock-offsets"];
  EXPECT_NEAR(offsets["n1"].get<double>() - base, 60, 0.5) << bumped.value.dump();
  EXPECT_NEAR(offsets["n2"].get<double>() - base_n2, 0, 0.5) << bumped.value.dump();
  expect_etcd_offset(n1, base + 60, "bump +60 s");  // a Go program reads the stepped clock
  // The node's NTP daemon (chronyd, synced to the controller) is stopped, or it would step back.
  EXPECT_EQ(n1.exec({"pgrep", "-x", "chronyd"}).exit_code, 1) << "chronyd still runs during the bump";
  std::this_thread::sleep_for(2s);
  EXPECT_NEAR(clock_offset(n1) - base, 60, 0.5) << "the bump did not hold";

  // A strobe flips n2's clock 5 s ahead and back while the controller samples it from outside.
  std::atomic<bool> strobing{true};
  std::vector<double> samples;
  std::thread sampler([&] {
    auto n2 = open_session(as_user(2, "admin"));
    while (strobing) samples.push_back(clock_offset(*n2));
  });
  Op strobed =
      clock->invoke(nemesis_op("strobe-clock", {{"nodes", {"n2"}}, {"delta", 5}, {"period-ms", 400}, {"duration", 4}}));
  std::cerr << "after the strobe: " << strobed.value["clock-offsets"].dump() << "\n";
  strobing = false;
  sampler.join();
  int high = std::count_if(samples.begin(), samples.end(), [&](double o) { return std::abs(o - base_n2 - 5) < 1; });
  int low = std::count_if(samples.begin(), samples.end(), [&](double o) { return std::abs(o - base_n2) < 1; });
  EXPECT_GT(high, 0) << samples.size() << " samples";
  EXPECT_GT(low, 0) << samples.size() << " samples";

  Op reset = clock->invoke(nemesis_op("reset-clock", Json::object()));
  std::cerr << "reset: " << reset.value.dump() << "\n";
  for (auto& session : sessions)
    EXPECT_EQ(session->exec({"pgrep", "-x", "chronyd"}).exit_code, 0) << session->node() << ": NTP not restarted";
  for (const char* faulted : {"n1", "n2"})  // n3's clock was never touched, so neither was its NTP
    EXPECT_EQ(reset.value["ntp-restarted"][faulted], "restarted 'chronyd' '-u' 'root' '-f' '/etc/chrony/chrony.conf'\n")
        << reset.value.dump();
  EXPECT_EQ(reset.value["ntp-restarted"]["n3"], "") << reset.value.dump();
  // Judged by a measurement of its own, NTP-style over 9 round trips. A TCG guest's clock loses a
  // few percent of wall time on a loaded machine; the node's NTP, started again, holds it.
  for (auto& session : sessions) {
    double offset = clock_offset(*session, "", 9);
    std::cerr << "after reset " << session->node() << ": " << offset << " s\n";
    EXPECT_LT(std::abs(offset), 0.05) << session->node() << " " << reset.value.dump();
  }
  expect_etcd_offset(n1, 0, "after reset");
  clock->teardown();
  std::ignore = n1.exec_script("kill -9 $(cat " + kClockDir + "/etcd.pid); rm -rf " + kClockDir);
}

// UDP probe between nodes: `recv PORT SECONDS FILE` writes the sequence numbers it received (in
// arrival order) to FILE once no packet came for a second; `send HOST PORT COUNT` sends 0..COUNT-1.
constexpr const char* kUdpProbe = R"(import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if sys.argv[1] == 'recv':
    s.bind(('0.0.0.0', int(sys.argv[2])))
    s.settimeout(1.0)
    end, got = time.time() + float(sys.argv[3]), []
    open(sys.argv[4] + '.ready', 'w').close()
    while time.time() < end:
        try:
            got.append(s.recv(64).decode())
        except socket.timeout:
            if got:
                break
    open(sys.argv[4], 'w').write(' '.join(got))
else:
    for i in range(int(sys.argv[4])):
        s.sendto(str(i).encode(), (sys.argv[2], int(sys.argv[3])))
        time.sleep(0.002)
)";

const std::string kProbeDir = std::string(kNodeStorage) + "/udpprobe";

// Sends `count` numbered datagrams from `from` to n2 and returns what n2 received, in order.
std::vector<int> udp_probe(Session& from, Session& n2, int count) {
  n2.check_script("rm -f " + kProbeDir + "/got " + kProbeDir + "/got.ready; setsid -f python3 " + kProbeDir +
                  "/probe.py recv 9999 30 " + kProbeDir +
                  "/got </dev/null >/dev/null 2>&1\n"
                  "for i in $(seq 100); do [ -e " +
                  kProbeDir + "/got.ready ] && break; sleep 0.1; done");
  from.check({"python3", kProbeDir + "/probe.py", "send", "10.83.0.12", "9999", std::to_string(count)});
  std::string got = n2.check_script("for i in $(seq 150); do [ -e " + kProbeDir +
                                    "/got ] && break; sleep 0.2; done; cat " + kProbeDir + "/got");
  std::vector<int> seqs;
  std::istringstream in(got);
  for (int n; in >> n;) seqs.push_back(n);
  return seqs;
}

// Mean and mean deviation (ms) of `count` pings from `from` to n2.
std::pair<double, double> ping_rtt(Session& from, int count) {
  std::string out = from.check_script("ping -q -c " + std::to_string(count) + " -i 0.2 -W 3 n2 | tail -n 1");
  double min, avg, max, mdev;
  if (std::sscanf(out.c_str(), "rtt min/avg/max/mdev = %lf/%lf/%lf/%lf", &min, &avg, &max, &mdev) != 4) {
    ADD_FAILURE() << "unexpected ping output: " << out;
    return {0, 0};
  }
  return {avg, mdev};
}

TEST(VmRealHost, NetemDelaysLosesDuplicatesAndReordersBetweenVmsUntilHealed) {
  auto n1 = open_session(as_user(1, "admin"));  // tc through sudo
  auto n2 = open_session(nodes().at(1));
  for (Session* s : {n1.get(), n2.get()}) {
    s->check_script("mkdir -p " + kProbeDir + " && cat > " + kProbeDir + "/probe.py <<'EOF'\n" +
                    std::string(kUdpProbe) + "EOF\n");
  }
  auto net = network_nemesis(NemesisNodes({n1.get(), n2.get()}), 3);
  net->setup();
  auto [base_rtt, base_mdev] = ping_rtt(*n1, 10);

  net->invoke(nemesis_op("start-netem", {{"nodes", {"n1"}}, {"delay-ms", 150}, {"jitter-ms", 30}}));
  auto [rtt, mdev] = ping_rtt(*n1, 20);
  std::cerr << "ping n1->n2: " << base_rtt << " ms (mdev " << base_mdev << ") without netem, " << rtt << " ms (mdev "
            << mdev << ") with delay 150 ms jitter 30 ms\n";
  EXPECT_NEAR(rtt - base_rtt, 150, 40);
  EXPECT_GT(mdev, 8);

  const int count = 400;
  net->invoke(nemesis_op("start-netem", {{"nodes", {"n1"}}, {"loss", 0.3}}));
  auto lost = udp_probe(*n1, *n2, count);
  net->invoke(nemesis_op("start-netem", {{"nodes", {"n1"}}, {"duplicate", 0.3}}));
  auto duplicated = udp_probe(*n1, *n2, count);
  net->invoke(nemesis_op("start-netem", {{"nodes", {"n1"}}, {"delay-ms", 20}, {"reorder", 0.5}}));
  auto reordered = udp_probe(*n1, *n2, count);
  net->invoke(nemesis_op("stop-netem", Json::object()));
  auto healed = udp_probe(*n1, *n2, count);
  auto [healed_rtt, healed_mdev] = ping_rtt(*n1, 10);
  net->teardown();

  auto unique = [](std::vector<int> v) {
    std::sort(v.begin(), v.end());
    return static_cast<int>(std::unique(v.begin(), v.end()) - v.begin());
  };
  auto inversions = [](const std::vector<int>& v) {
    int n = 0;
    for (size_t i = 1; i < v.size(); ++i) n += v[i] < v[i - 1];
    return n;
  };
  std::cerr << "udp " << count << " sent: loss 30% -> " << lost.size() << " received; duplicate 30% -> "
            << duplicated.size() << " received (" << unique(duplicated) << " distinct); reorder 50% -> "
            << inversions(reordered) << " inversions; healed -> " << healed.size() << " received, "
            << inversions(healed) << " inversions\n";
  EXPECT_NEAR(lost.size(), count * 0.7, count * 0.12);
  EXPECT_EQ(unique(lost), static_cast<int>(lost.size()));
  EXPECT_NEAR(duplicated.size(), count * 1.3, count * 0.12);
  EXPECT_GE(unique(duplicated), count * 0.97);
  EXPECT_GT(inversions(reordered), count / 10);
  EXPECT_GE(reordered.size(), count * 0.97);
  EXPECT_GE(healed.size(), count * 0.99);
  EXPECT_EQ(unique(healed), static_cast<int>(healed.size()));
  EXPECT_LT(inversions(healed), 3);
  EXPECT_LT(healed_rtt, base_rtt + 30);
  EXPECT_EQ(n1->check({"tc", "qdisc", "show", "dev", "eth0"}).find("netem"), std::string::npos);
  std::ignore = n1->exec({"rm", "-rf", kProbeDir});
  std::ignore = n2->exec({"rm", "-rf", kProbeDir});
}

const std::string kPowerDir = std::string(kNodeStorage) + "/powertest";

// A single-node etcd with its data on the node's disk, as a target's Daemon would run it.
class EtcdOnDisk : public Daemon {
 public:
  void kill(Session& node) override {
    std::ignore = node.exec_script("kill -9 $(cat " + kPowerDir + "/etcd.pid) 2>/dev/null; true");
  }
  void start(Session& node) override {
    node.check_script(
        "mkdir -p " + kPowerDir + " && setsid -f sh -c " +
        shell_quote("echo $$ > " + kPowerDir + "/etcd.pid; exec etcd --name pw --data-dir " + kPowerDir +
                    "/data --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 "
                    "--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 "
                    "--initial-cluster pw=http://127.0.0.1:2380") +
        " </dev/null >>" + kPowerDir + "/etcd.log 2>&1");
    ++starts;
  }
  void pause(Session&) override {}
  void resume(Session&) override {}
  int starts = 0;
};

bool etcd_healthy(Session& node) {
  for (int i = 0; i < 180; ++i) {
    if (node.exec({"curl", "-sf", "http://127.0.0.1:2379/health"}).exit_code == 0) return true;
    std::this_thread::sleep_for(500ms);
  }
  return false;
}

TEST(VmRealHost, PowerCutKeepsFsyncedDataLosesTheRestAndTheTargetRestartsOnItsDisk) {
  auto n3 = open_session(as_user(3, "admin"));
  EtcdOnDisk etcd;
  n3->check_script("rm -rf " + kPowerDir);
  etcd.start(*n3);
  ASSERT_TRUE(etcd_healthy(*n3));
  // etcd fsyncs its log before it answers a put.
  n3->check({"curl", "-sf", "-X", "POST", "http://127.0.0.1:2379/v3/kv/put", "-d",
             R"({"key":"cG93ZXI=","value":"c3Vydml2ZXM="})"});
  auto vm_power = vm_power_switch(default_sandbox_dir("vm"));
  auto power = power_nemesis(NemesisNodes({n3.get()}), etcd, vm_power.get(), 5);
  power->setup();
  // However the test ends, n3 is on and its disk holds no etcd for the tests after this one.
  struct Cleanup {
    std::function<void()> run;
    ~Cleanup() {
      try {
        run();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cleanup: " << e.what();
      }
    }
  } cleanup{[&] {
    power->teardown();
    etcd.kill(*n3);
    n3->check_script("rm -rf " + kPowerDir);
  }};
  // One file written and fsynced, one only written: the cut comes before the kernel writes it back.
  n3->check_script("printf synced > " + kPowerDir + "/synced && sync " + kPowerDir + "/synced && printf cached > " +
                   kPowerDir + "/cached");
  Op off = power->invoke(nemesis_op("power-off", {{"nodes", {"n3"}}}));
  EXPECT_EQ(off.value["powered-off"], Json({"n3"}));
  EXPECT_EQ(on_host("ping -c 1 -W 1 10.83.0.13 >/dev/null 2>&1; echo $?"), "1\n") << "n3 still answers";
  auto start = std::chrono::steady_clock::now();
  Op on = power->invoke(nemesis_op("power-on", Json::object()));
  std::cerr << "power-on (boot + etcd start) took "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count()
            << " s\n";
  EXPECT_EQ(on.value["new-boot"]["n3"], true) << on.value.dump();
  EXPECT_EQ(etcd.starts, 2);
  EXPECT_EQ(n3->check({"cat", kPowerDir + "/synced"}), "synced");
  std::string cached = n3->exec({"cat", kPowerDir + "/cached"}).out;
  std::cerr << "unsynced file after the cut: " << (cached.empty() ? "lost" : "'" + cached + "'") << "\n";
  EXPECT_EQ(cached, "") << "a power cut right after a write loses what was not written back";
  ASSERT_TRUE(etcd_healthy(*n3));
  std::string got =
      n3->check({"curl", "-sf", "-X", "POST", "http://127.0.0.1:2379/v3/kv/range", "-d", R"({"key":"cG93ZXI="})"});
  EXPECT_NE(got.find("c3Vydml2ZXM="), std::string::npos) << got;  // etcd restarted on its data
}

TEST(VmRealHost, PowerIsRefusedOnNodesThatAreNotVms) {
  NemesisConfig config;
  config.faults = {"power"};
  auto session = open_session(nodes().at(0));
  config.sessions = {session.get()};
  EtcdOnDisk daemon;
  config.daemon = &daemon;
  try {
    make_nemesis_package(config);
    ADD_FAILURE() << "power accepted without VM nodes";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("not VMs"), std::string::npos) << e.what();
  }
  config.faults = {"all"};  // all means power only on VMs
  EXPECT_NO_THROW(make_nemesis_package(config));
  config.faults = {"power"};
  auto power = vm_power_switch(default_sandbox_dir("vm"));
  config.power = power.get();
  EXPECT_NO_THROW(make_nemesis_package(config));
}

// A nodes file as a user would write it for three real hosts, one of them without sudo rights.
fs::path mixed_nodes_file() {
  auto all = nodes();
  all[0].user = "admin";
  all[1].user = "pwuser";
  all[1].key_path.clear();
  all[2].user = "nosudo";
  fs::path file = fs::temp_directory_path() / "vm-nodes-check";
  std::ofstream out(file);
  for (const auto& node : all) out << to_nodes_line(node) << "\n";
  return file;
}

TEST(VmRealHost, NodesCheckPrintsOneLinePerNode) {
  fs::path file = mixed_nodes_file();
  setenv("FL_VM_PASSWORD", sandbox_password().c_str(), 1);
  std::string out;
  int rc = run_cli("nodes check --nodes-file " + file.string() + " --ssh-password-env FL_VM_PASSWORD", &out);
  EXPECT_EQ(rc, 255) << out;  // n3 cannot sudo
  std::istringstream lines(out);
  std::vector<std::string> got;
  for (std::string line; std::getline(lines, line);) got.push_back(line);
  ASSERT_EQ(got.size(), 4u) << out;
  EXPECT_EQ(got[0].rfind("n1: reachable, sudo, iptables tc date present, clock ", 0), 0u) << out;
  EXPECT_EQ(got[1].rfind("n2: reachable, sudo with password, iptables tc date present, clock ", 0), 0u) << out;
  EXPECT_EQ(got[2].rfind("n3: reachable, sudo FAILS, clock ", 0), 0u) << out;
  EXPECT_EQ(got[3].rfind("  n3: sudo refuses `iptables -w -n -L INPUT`", 0), 0u) << out;
  fs::remove(file);
}

TEST(VmRealHost, ATestOnANodeWithoutSudoStopsBeforeItStarts) {
  fs::path file = mixed_nodes_file();
  setenv("FL_VM_PASSWORD", sandbox_password().c_str(), 1);
  fs::path store = fs::temp_directory_path() / "vm-nosudo-store";
  std::string out;
  int rc = run_cli("test --nodes-file " + file.string() +
                       " --ssh-password-env FL_VM_PASSWORD --target etcd"
                       " --workload register --nemesis partition --time-limit 5 --store " +
                       store.string(),
                   &out);
  EXPECT_EQ(rc, 254) << out;
  EXPECT_NE(out.find("n3: sudo refuses `iptables -w -n -L INPUT`"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_FALSE(fs::exists(store / "latest")) << "a run was started";
  fs::remove_all(store);
  fs::remove(file);
}

// The whole product on VM nodes: etcd under every fault a VM can take, for a minute, at a rate TCG
// carries (Raft timing raised for slow nodes). Faults run one after another, so a power-on that
// boots a node for half a minute holds the others back; what is judged is that each fault reached
// the nodes and says what it measured, the verdict is about etcd, and nothing is left behind.
TEST(VmEtcd, PartitionKillClockAndPowerForAMinuteGiveAVerdictAndLeaveTheNodesClean) {
  fs::path store = fs::temp_directory_path() / "vm-etcd-store";
  fs::remove_all(store);
  std::string out;
  int rc = run_cli(
      "test --sandbox --sandbox-name vm --target etcd --target-opt heartbeat-ms=200 --target-opt election-ms=2000"
      " --workload cas-register --nemesis partition,kill,clock,power --nemesis-interval 6 --time-limit 60"
      " --rate 10 --concurrency 2n --seed 18 --store " +
          store.string(),
      &out, std::chrono::minutes(8));
  EXPECT_EQ(rc, 0) << out;  // etcd is linearizable: anything else is a finding or a harness failure
  std::ifstream history(store / "latest" / "history.jsonl");
  ASSERT_TRUE(history) << out;
  std::map<std::string, int> started;
  int ok = 0;
  for (std::string line; std::getline(history, line);) {
    Json op = Json::parse(line);
    if (op["process"] != "nemesis") {
      ok += op["type"] == "ok";
      continue;
    }
    if (op["type"] != "info") continue;
    const std::string f = op["f"];
    const Json& v = op["value"];
    EXPECT_FALSE(op.contains("error")) << line;  // a node that is off is passed by, not an error
    if (f == "start-partition") started["partition"] += v.contains("grudge");
    if (f == "kill") started["kill"] += !v["killed"].empty();
    if (f == "power-off")
      started["power"] += v["boot-ids"].size() == v["powered-off"].size() && !v["powered-off"].empty();
    if (f == "power-on") {
      for (const auto& [node, new_boot] : v["new-boot"].items())
        EXPECT_TRUE(new_boot.get<bool>()) << node << ": " << line;
    }
    if (f == "bump-clock" || f == "strobe-clock") {
      started["clock"] += 1;
      for (const auto& [node, offset] : v["clock-offsets"].items()) EXPECT_TRUE(offset.is_number()) << line;
    }
  }
  for (const char* kind : {"partition", "kill", "clock", "power"})
    EXPECT_GT(started[kind], 0) << kind << " never took effect\n" << out;
  EXPECT_GT(ok, 20) << out;

  // Clean afterwards: healing finds nothing, every VM runs, no etcd is left, no rule, no offset.
  EXPECT_EQ(run_cli("heal --sandbox --sandbox-name vm", &out), 0) << out;
  EXPECT_EQ(out, "n1: clean\nn2: clean\nn3: clean\n");
  for (int i = 1; i <= 3; ++i) {
    auto node = open_session(nodes()[static_cast<size_t>(i - 1)]);
    EXPECT_EQ(node->exec_script("pgrep -x etcd").out, "") << node->node();
    EXPECT_EQ(node->check_script("iptables -w -S | grep -c -- '-j DROP' || true"), "0\n") << node->node();
    EXPECT_LT(std::abs(clock_offset(*node, "", 9)), 0.05) << node->node();
  }
  if (!HasFailure()) fs::remove_all(store);  // else kept for a look
}

// Last: its suite is registered after every other, so the shared VMs stay up until here.
TEST(VmSandboxDown, UpAgainIsANoOpAndDownLeavesNothing) {
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
  EXPECT_EQ(on_host("pgrep -f '[c]hronyd.*sandbox/vm/ntp-server' || true"), "");
  EXPECT_FALSE(fs::exists(default_sandbox_dir("vm")));
}

}  // namespace
}  // namespace faultline
