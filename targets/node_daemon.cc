#include "targets/node_daemon.h"

#include <filesystem>
#include <sstream>
#include <thread>

#include "harness/control/clock_launch.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "harness/core/log.h"

namespace faultline {

namespace {

// Shell text that sets $p to the daemon's group id, or exits 1 when there is none, and defines
// `alive` (some process of its session is not a zombie) and `signal SIG` (to the whole session,
// with procps' pkill: the session is what `alive` checks, and a daemon may start new groups).
std::string read_pid(const NodeDaemon& d) {
  return "p=$(cat " + shell_quote(d.pid_file) +
         " 2>/dev/null); [ -n \"$p\" ] || exit 1\n"
         "alive() { ps -o stat= -s \"$p\" 2>/dev/null | grep -q '^[^Z]'; }\n"
         "signal() { pkill -\"$1\" -s \"$p\"; }\n";
}

}  // namespace

void start_node_daemon(Session& node, const NodeDaemon& d) {
  namespace fs = std::filesystem;
  // setsid -f puts the daemon's shell in a new session whatever the calling shell's job control
  // does; that shell records its own pid, which is then also its session's and group's id.
  std::string pid = shell_quote(d.pid_file);
  std::string script = "mkdir -p " + shell_quote(fs::path(d.log_file).parent_path().string()) + " " +
                       shell_quote(fs::path(d.pid_file).parent_path().string()) + "\n" + "rm -f " + pid + "\n" + d.env +
                       " setsid -f sh -c " + shell_quote("echo $$ > " + pid + "\n" + d.command) + " </dev/null >>" +
                       shell_quote(d.log_file) + " 2>&1\n" + "i=0; while [ ! -s " + pid +
                       " ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done\n"
                       "[ -s " +
                       pid + " ] || { echo 'the daemon never wrote its pid' >&2; exit 1; }\n";
  node.check_script(script, {.timeout = std::chrono::seconds(30)});
}

bool node_daemon_running(Session& node, const NodeDaemon& d) {
  std::string script = read_pid(d) + "alive\n";
  return node.exec_script(script, {.timeout = std::chrono::seconds(30)}).exit_code == 0;
}

std::string node_daemon_log_tail(Session& node, const NodeDaemon& d, int lines) {
  return node.exec({"tail", "-n", std::to_string(lines), d.log_file}, {.timeout = std::chrono::seconds(30)}).out;
}

void expect_node_daemon_running(Session& node, const NodeDaemon& d, const std::string& what) {
  if (node_daemon_running(node, d)) return;
  fail(ErrorCode::kRemote, what + " exited on " + node.node() + " during startup; last lines of " + d.log_file + ":\n" +
                               node_daemon_log_tail(node, d));
}

bool signal_node_daemon(Session& node, const NodeDaemon& d, const std::string& signal) {
  std::string script = read_pid(d) + "alive && signal " + signal + "\n";
  return node.exec_script(script, {.timeout = std::chrono::seconds(30)}).exit_code == 0;
}

void stop_node_daemon(Session& node, const NodeDaemon& d, std::chrono::milliseconds grace) {
  // Polls every 0.1 s: TERM first, KILL once the grace is over, give up 5 s after that.
  long polls = grace.count() / 100;
  std::string script = read_pid(d) +
                       "alive && signal TERM && signal CONT\n"
                       "i=0\n"
                       "while alive; do\n"
                       "  i=$((i+1))\n"
                       "  [ $i -ge " +
                       std::to_string(polls) +
                       " ] && signal KILL\n"
                       "  [ $i -ge " +
                       std::to_string(polls + 50) +
                       " ] && { echo \"group $p survived SIGKILL\" >&2; exit 2; }\n"
                       "  sleep 0.1\n"
                       "done\n"
                       "rm -f " +
                       shell_quote(d.pid_file) + "\n";
  ExecResult r = node.exec_script(script, {.timeout = grace + std::chrono::seconds(30)});
  if (r.exit_code == 2) fail(ErrorCode::kRemote, node.node() + ": cannot stop `" + d.command + "`: " + r.err);
}

std::string node_address(Session& node) {
  // SSH_CONNECTION is "client-ip client-port server-ip server-port"; sudo would drop it.
  std::istringstream words(
      node.check_script("echo \"$SSH_CONNECTION\"", {.timeout = std::chrono::seconds(30), .as_login_user = true}));
  std::string client_ip, client_port, server_ip;
  words >> client_ip >> client_port >> server_ip;
  return server_ip.empty() ? "127.0.0.1" : server_ip;
}

std::string daemon_clock_env(const TestEnv& env, Session& node) {
  // Real hosts get clock faults through the system clock, which needs nothing at start.
  return env.faketime && env.sandbox ? faketime_prefix() : "";
}

void download_node_logs(Session& node, const TestEnv& env, const std::vector<std::string>& files) {
  namespace fs = std::filesystem;
  fs::path into = env.run_dir / "nodes" / node.node();
  for (const auto& file : files) {
    try {
      if (node.exec({"test", "-f", file}, {.timeout = std::chrono::seconds(30)}).exit_code != 0) continue;
      fs::create_directories(into);
      node.download(file, into / fs::path(file).filename());
    } catch (const std::exception& e) {
      log_warn(node.node() + ": cannot download " + file + ": " + e.what());
    }
  }
}

bool wait_until(std::chrono::milliseconds timeout, const std::function<bool()>& check) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (check()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace faultline
