#include "nemesis/testing/ticker_daemon.h"

#include "harness/control/clock_launch.h"
#include "harness/control/node_layout.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "nemesis/clock.h"

namespace faultline {

const std::string kTickerTimeFile = std::string(kNodeStorage) + "/ticker.time";
const std::string kTickerDataFile = std::string(kNodeStorage) + "/ticker.data";

namespace {
const std::string kPidFile = std::string(kNodeStorage) + "/ticker.pid";
}

long TickerDaemon::pid(Session& node) {
  // A zombie (killed, not yet reaped) does not count as running.
  ExecResult r =
      node.exec_script("p=$(cat " + shell_quote(kPidFile) +
                       " 2>/dev/null) && s=$(ps -o stat= -p \"$p\") && [ \"${s#Z}\" = \"$s\" ] && echo \"$p\"");
  return r.exit_code == 0 ? std::stol(r.out) : 0;
}

std::string TickerDaemon::state(Session& node) {
  long p = pid(node);
  if (p == 0) return "";
  return node.check({"ps", "-o", "stat=", "-p", std::to_string(p)}).substr(0, 1);
}

void TickerDaemon::start(Session& node) {
  if (pid(node) != 0) return;
  std::string loop = "while :; do date +%s.%N > " + shell_quote(kTickerTimeFile) + ".new && mv " +
                     shell_quote(kTickerTimeFile) + ".new " + shell_quote(kTickerTimeFile) + "; sleep 0.1; done";
  // setsid: its own session and process group, so it outlives this SSH command and signals can
  // reach the whole group; exec keeps the pid written to the pidfile.
  std::string inner = "echo $$ > " + shell_quote(kPidFile) + "; exec " + (faketime_ ? faketime_prefix() : "") +
                      "sh -c " + shell_quote(loop);
  node.check_script("rm -f " + shell_quote(kPidFile) + "\n[ -s " + shell_quote(kTickerDataFile) +
                    " ] || head -c 4096 /dev/zero | tr '\\0' 'a' > " + shell_quote(kTickerDataFile) + "\n" +
                    "setsid sh -c " + shell_quote(inner) +
                    " </dev/null >/dev/null 2>&1 &\n"
                    "for i in $(seq 50); do [ -s " +
                    shell_quote(kPidFile) + " ] && exit 0; sleep 0.02; done; exit 1");
  if (pid(node) == 0) fail(ErrorCode::kRemote, node.node() + ": the ticker daemon did not start");
}

void TickerDaemon::signal(Session& node, const char* signal) {
  long p = pid(node);
  // env: the external kill, since sh builtins (dash) cannot signal a process group.
  if (p != 0) node.check({"env", "kill", std::string("-") + signal, "--", "-" + std::to_string(p)});
}

void TickerDaemon::kill(Session& node) {
  signal(node, "KILL");
  node.check({"rm", "-f", kPidFile});
}

void TickerDaemon::pause(Session& node) { signal(node, "STOP"); }
void TickerDaemon::resume(Session& node) { signal(node, "CONT"); }

}  // namespace faultline
