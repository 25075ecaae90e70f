#include "harness/control/node_check.h"

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "harness/control/fan_out.h"
#include "harness/control/remote.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"

namespace faultline {

namespace {

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "no output" : line;
}

// A command every network fault runs through sudo: if sudo refuses it, no fault could work.
const std::vector<std::string> kPrivilegedProbe = {"iptables", "-w", "-n", "-L", "INPUT"};

}  // namespace

const std::vector<std::string>& fault_tools() {
  static const std::vector<std::string> tools = {"iptables", "tc", "date"};
  return tools;
}

double clock_offset(Session& node, const std::string& prefix, int samples) {
  using Clock = std::chrono::system_clock;
  auto seconds = [](Clock::time_point t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); };
  double best_offset = 0, best_rtt = 1e9;
  bool by_runner = prefix.empty();  // the runner's own clock, unless a prefix must reach `date`
  for (int i = 0; i < std::max(1, samples); ++i) {
    auto before = Clock::now();
    ExecResult r = node.exec_script(by_runner ? ":" : "exec " + prefix + "date +%s.%N", {.as_login_user = true});
    auto after = Clock::now();
    if (r.exit_code != 0) fail(ErrorCode::kRemote, node.node() + ": cannot read the clock: " + r.err);
    if (by_runner && r.node_received == 0) {  // no bash 5 runner on the node: date it is
      by_runner = false;
      --i;
      continue;
    }
    double rtt = std::chrono::duration<double>(after - before).count(), offset;
    if (by_runner) {
      // NTP's four timestamps: the node's time between receiving and replying cancels out.
      offset = ((r.node_received - seconds(before)) + (r.node_replied - seconds(after))) / 2;
      rtt -= r.node_replied - r.node_received;
    } else {
      // Starting a shell and date delays the node's reading to one side of the midpoint only,
      // so the quickest round trip gives the truest offset.
      offset = std::stod(r.out) - seconds(before + (after - before) / 2);
    }
    if (rtt < best_rtt) best_rtt = rtt, best_offset = offset;
  }
  return std::round(best_offset * 1000) / 1000;
}

NodeCheck check_node(Session& node) {
  NodeCheck check;
  check.node = node.node();
  check.reachable = true;
  const std::string path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; ";
  if (!node.uses_sudo()) {
    check.privilege = "root";
  } else if (node.exec_script("command -v sudo", {.as_login_user = true}).exit_code != 0) {
    check.problems.push_back(node.node() + ": sudo is not installed, so `" + shell_join(kPrivilegedProbe) +
                             "` and every other fault command cannot run as root; install sudo or log in as root");
  } else {
    ExecResult probe = node.exec_script(path + shell_join(kPrivilegedProbe), {.timeout = std::chrono::seconds(30)});
    // A missing iptables is reported below; only sudo's own refusal is a sudo problem.
    bool refused = probe.exit_code != 0 && probe.err.find("sudo") != std::string::npos;
    if (refused) {
      check.problems.push_back(node.node() + ": sudo refuses `" + shell_join(kPrivilegedProbe) +
                               "`: " + first_line(probe.err) +
                               " (give the user sudo rights: NOPASSWD, or its password with --ssh-password-env)");
    } else {
      check.privilege =
          node.exec_script("sudo -n true", {.as_login_user = true}).exit_code == 0 ? "sudo" : "sudo with password";
    }
  }
  if (!check.privilege.empty()) {
    std::string script = path + "for t in";
    for (const auto& tool : fault_tools()) script += " " + tool;
    script += "; do command -v \"$t\" >/dev/null || echo \"$t\"; done";
    std::istringstream missing(node.check_script(script));
    for (std::string tool; missing >> tool;) {
      check.missing.push_back(tool);
      check.problems.push_back(node.node() + ": `" + tool + "` is not installed; faults need it");
    }
  }
  check.clock_offset = clock_offset(node);
  return check;
}

std::vector<NodeCheck> check_nodes(const std::vector<NodeSpec>& nodes) {
  auto outcomes = fan_out(nodes, [](const NodeSpec& spec) { return check_node(*open_session(spec)); });
  std::vector<NodeCheck> checks;
  for (const auto& outcome : outcomes) {
    if (outcome.value) {
      checks.push_back(*outcome.value);
    } else {
      NodeCheck unreachable;
      unreachable.node = outcome.node;
      unreachable.problems.push_back(outcome.error->what());
      checks.push_back(unreachable);
    }
  }
  return checks;
}

std::string describe(const NodeCheck& check) {
  if (!check.reachable) return check.problems.at(0);
  std::string line = check.node + ": reachable";
  line += check.privilege.empty() ? ", sudo FAILS" : ", " + check.privilege;
  std::string present;
  for (const auto& tool : fault_tools()) {
    bool missing = std::find(check.missing.begin(), check.missing.end(), tool) != check.missing.end();
    if (!missing) present += " " + tool;
  }
  if (!check.privilege.empty()) line += "," + (present.empty() ? std::string(" no fault tool") : present + " present");
  if (check.clock_offset) line += fmt::format(", clock {:+.3f} s", *check.clock_offset);
  for (const auto& problem : check.problems) line += "\n  " + problem;
  return line;
}

}  // namespace faultline
