// End-to-end tests of SSH sessions and the sandbox against real sshd in namespace nodes. Needs
// root. Uses its own sandboxes (names flt/flu, subnets 10.77.101/102.0/24), never the user's.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>
#include <tuple>

#include "harness/control/fan_out.h"
#include "harness/control/local_session.h"
#include "harness/control/remote.h"
#include "harness/core/error.h"
#include "harness/core/random.h"
#include "harness/sandbox/sandbox.h"
#include "harness/sandbox/testing/private_sandbox.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

PrivateSandbox& sandbox = add_private_sandbox("flt", "10.77.101.0/24");
SandboxOptions test_sandbox() { return sandbox.options(); }

std::vector<NodeSpec> nodes() { return sandbox.nodes(); }

std::unique_ptr<Session> session(int i) { return open_session(nodes().at(i)); }

// Expects f to throw Error with `code` and a one-line message containing every piece.
template <class F>
void expect_error(F f, ErrorCode code, std::vector<std::string> pieces) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    for (const auto& piece : pieces) EXPECT_NE(message.find(piece), std::string::npos) << message;
  }
}

std::string host_output(const std::string& script) { return LocalSession().check_script(script); }

TEST(SshSession, ExecWithStdinStdoutStderrAndExitCode) {
  auto n1 = session(0);
  ExecOptions options;
  options.stdin_data = "from stdin";
  ExecResult result = n1->exec_script("cat; echo to-stderr >&2; hostname; exit 7", options);
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_EQ(result.out, "from stdinn1\n");
  EXPECT_EQ(result.err, "to-stderr\n");
  EXPECT_EQ(n1->check({"printf", "%s", "it's $HOME; `x`"}), "it's $HOME; `x`");
  expect_error([&] { n1->check({"ls", "/nonexistent"}); }, ErrorCode::kRemote, {"n1: `ls /nonexistent` exited with 2"});
}

TEST(SshSession, TenMegabytesOfOutputWhileWritingStdin) {
  auto n2 = session(1);
  ExecOptions options;
  options.stdin_data = std::string(4'000'000, 'i');
  ExecResult result = n2->exec_script("head -c 10000000 /dev/zero; head -c 2000000 /dev/zero >&2; wc -c >&2", options);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.size(), 10'000'000u);
  EXPECT_EQ(result.err.size(), 2'000'000u + 8);  // "4000000\n"
}

TEST(SshSession, TimeoutKillsTheRemoteCommand) {
  auto n3 = session(2);
  ExecOptions options;
  options.timeout = 500ms;
  auto start = std::chrono::steady_clock::now();
  expect_error([&] { std::ignore = n3->exec({"sleep", "100"}, options); }, ErrorCode::kTimeout, {"n3", "timed out"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  EXPECT_EQ(n3->exec_script("ps -e -o args= | grep -c '^sleep 100'").out, "0\n");
}

TEST(SshSession, UploadAndDownloadKeepEveryByte) {
  auto n4 = session(3);
  Rng rng(42);
  std::string bytes(3'000'000, '\0');
  for (char& c : bytes) c = static_cast<char>(rng.below(256));
  fs::path dir = fs::temp_directory_path() / ("fl-e2e-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "up", std::ios::binary) << bytes;
  fs::permissions(dir / "up", fs::perms(0750));
  n4->upload(dir / "up", std::string(kNodeStorage) + "/blob");
  EXPECT_EQ(n4->check({"stat", "-c", "%s %a", std::string(kNodeStorage) + "/blob"}), "3000000 750\n");
  n4->download(std::string(kNodeStorage) + "/blob", dir / "down");
  std::ifstream in(dir / "down", std::ios::binary);
  std::string back((std::istreambuf_iterator<char>(in)), {});
  EXPECT_TRUE(back == bytes);
  expect_error([&] { n4->download("/nonexistent", dir / "x"); }, ErrorCode::kRemote, {"n4", "no such file"});
  // Storage is per node: the blob is not on n5.
  EXPECT_NE(session(4)->exec({"test", "-e", std::string(kNodeStorage) + "/blob"}).exit_code, 0);
  fs::remove_all(dir);
}

TEST(SshSession, HundredParallelExecsOverFiveNodes) {
  auto sessions = open_sessions(nodes());
  std::vector<std::string> outputs(100);
  std::vector<std::jthread> threads;
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back(
        [&, i] { outputs[i] = sessions[i % 5]->check_script("echo $(hostname) " + std::to_string(i)); });
  }
  threads.clear();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(outputs[i], "n" + std::to_string(i % 5 + 1) + " " + std::to_string(i) + "\n");
}

TEST(SshSession, FanOutRunsOnEveryNode) {
  auto sessions = open_sessions(nodes());
  auto names = values_or_throw(fan_out(sessions, [](std::unique_ptr<Session>& s) { return s->check({"hostname"}); }));
  EXPECT_EQ(names, (std::vector<std::string>{"n1\n", "n2\n", "n3\n", "n4\n", "n5\n"}));
}

TEST(SshSession, ReconnectsAfterSshdIsKilledAndRestarted) {
  auto n2 = session(1);
  EXPECT_EQ(n2->check({"hostname"}), "n2\n");
  // A command running while the node goes down may or may not have taken effect: not retried.
  std::jthread running([&] {
    expect_error([&] { std::ignore = n2->exec({"sleep", "30"}); }, ErrorCode::kUnavailable, {"n2", "may or may not"});
  });
  std::this_thread::sleep_for(300ms);
  restart_sandbox_node(test_sandbox(), "n2");
  running.join();
  EXPECT_EQ(n2->check({"hostname"}), "n2\n");  // the next command reconnects
  ExecOptions idempotent;
  idempotent.idempotent = true;
  restart_sandbox_node(test_sandbox(), "n2");
  EXPECT_EQ(n2->check({"hostname"}, idempotent), "n2\n");
}

TEST(SshSession, AuthenticationFailureSaysWhatWasTried) {
  fs::path key = fs::temp_directory_path() / ("fl-e2e-key-" + std::to_string(getpid()));
  host_output("ssh-keygen -q -t rsa -b 2048 -N '' -f " + key.string());
  NodeSpec node = nodes().at(0);
  node.key_path = key.string();
  expect_error([&] { open_session(node); }, ErrorCode::kAuth,
               {"n1 (root@10.77.101.11:22): authentication failed as root", "tried key " + key.string(), "publickey"});
  node.key_path = "/nonexistent/key";
  expect_error([&] { open_session(node); }, ErrorCode::kNotFound, {"/nonexistent/key"});
  fs::remove(key);
  fs::remove(key.string() + ".pub");
}

TEST(SshSession, HostKeysAreCheckedStrictlyByDefault) {
  fs::path dir = default_sandbox_dir("flt");
  fs::path known = fs::temp_directory_path() / ("fl-e2e-known-" + std::to_string(getpid()));
  NodeSpec node = nodes().at(0);
  node.known_hosts = known.string();
  // n2's key recorded for n1's address: a mismatch, refused, with both fingerprints.
  std::string n2_key = host_output("cut -d' ' -f1,2 " + (dir / "n2/ssh_host_ed25519_key.pub").string());
  std::ofstream(known) << node.host << " " << n2_key;
  std::string seen =
      host_output("ssh-keygen -lf " + (dir / "n1/ssh_host_ed25519_key.pub").string() + " | cut -d' ' -f2");
  std::string expected =
      host_output("ssh-keygen -lf " + (dir / "n2/ssh_host_ed25519_key.pub").string() + " | cut -d' ' -f2");
  seen.pop_back();
  expected.pop_back();
  expect_error([&] { open_session(node); }, ErrorCode::kHostKey, {"n1", "mismatch", seen, expected});
  // Unknown host: strict refuses; accept-new records it, and then strict accepts it.
  fs::remove(known);
  expect_error([&] { open_session(node); }, ErrorCode::kHostKey, {"n1", seen, "not in"});
  node.host_key_policy = HostKeyPolicy::kAcceptNew;
  open_session(node);
  node.host_key_policy = HostKeyPolicy::kStrict;
  EXPECT_EQ(open_session(node)->check({"hostname"}), "n1\n");
  // Insecure accepts even the wrong key, but only when asked for.
  std::ofstream(known) << node.host << " " << n2_key;
  node.host_key_policy = HostKeyPolicy::kInsecure;
  EXPECT_EQ(open_session(node)->check({"hostname"}), "n1\n");
  fs::remove(known);
}

TEST(SshSession, UnreachableNodesFailWithOneClearLine) {
  NodeSpec node = nodes().at(0);
  node.port = 2222;
  expect_error([&] { open_session(node); }, ErrorCode::kUnavailable,
               {"n1 (root@10.77.101.11:2222): connection refused"});
}

TEST(Sandbox, StatusShowsHealthyNodesAndTheirProcesses) {
  auto statuses = sandbox_status(test_sandbox());
  ASSERT_EQ(statuses.size(), 5u);
  for (const auto& node : statuses) {
    EXPECT_TRUE(node.healthy) << node.name << ": " << node.problem;
    EXPECT_NE(node.processes.find("sshd"), std::string::npos);
  }
  EXPECT_EQ(statuses[4].address, "10.77.101.15");
}

TEST(Sandbox, NodesAreIsolatedAndNameEachOther) {
  auto n1 = session(0);
  EXPECT_EQ(n1->check_script("getent hosts n3 | cut -d' ' -f1"), "10.77.101.13\n");
  // Own PID namespace: sshd is process 1.
  EXPECT_EQ(n1->check({"ps", "-o", "comm=", "-p", "1"}), "sshd\n");
  // Nodes reach each other over the bridge.
  EXPECT_EQ(n1->exec_script("timeout 2 bash -c 'echo > /dev/tcp/n3/22'").exit_code, 0);
}

// The whole life of a sandbox: idempotent up, up after a crash, and down leaving nothing behind.
TEST(Sandbox, UpIsIdempotentRecoversFromCrashesAndDownLeavesNothing) {
  SandboxOptions options;
  options.name = "flu";
  options.nodes = 3;
  options.subnet = "10.77.102.0/24";
  auto leftovers = [] {
    return host_output(
        "ip netns list | grep -c '^flu-' || true; ip -o link show | grep -c ' flu-' || true; "
        "ps -e -o args= | grep -c '^sshd: .*/sandbox/flu/' || true");
  };
  sandbox_up(options);
  // The node's first process (its unshare) is the same after a second up: the node was left alone.
  std::string first_pid = "ip netns pids flu-n1 | sort -n | head -1";
  std::string node_pid = host_output(first_pid);
  sandbox_up(options);
  EXPECT_EQ(host_output(first_pid), node_pid);
  // A crash: one node's processes are gone and the state is half-written.
  host_output("ip netns pids flu-n2 | xargs -r kill -9 || true");
  fs::remove(default_sandbox_dir("flu") / "sandbox.json");
  sandbox_up(options);
  auto statuses = sandbox_status(options);
  for (const auto& node : statuses) EXPECT_TRUE(node.healthy) << node.problem;
  // Leftovers without any state at all (state directory deleted by hand).
  fs::remove_all(default_sandbox_dir("flu"));
  sandbox_up(options);
  EXPECT_TRUE(sandbox_status(options).at(2).healthy);
  auto start = std::chrono::steady_clock::now();
  sandbox_down(options);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(leftovers(), "0\n0\n0\n");
  EXPECT_FALSE(fs::exists(default_sandbox_dir("flu")));
  sandbox_down(options);  // down twice is fine
  expect_error([&] { sandbox_status(options); }, ErrorCode::kNotFound, {"sandbox up"});
}

TEST(Sandbox, RefusesBadOptionsAndTakenSubnets) {
  SandboxOptions options = test_sandbox();
  options.name = "Bad-Name";
  expect_error([&] { sandbox_up(options); }, ErrorCode::kBadInput, {"Bad-Name"});
  options.name = "flv";
  options.subnet = "10.77.101.0/24";  // flt's bridge route is there
  expect_error([&] { sandbox_up(options); }, ErrorCode::kBadInput, {"overlaps", "--subnet"});
  sandbox_down(options);
}

}  // namespace
}  // namespace faultline
