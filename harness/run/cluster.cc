#include "harness/run/cluster.h"

#include <algorithm>
#include <cstdlib>

#include "harness/control/fan_out.h"
#include "harness/control/node_check.h"
#include "harness/control/remote.h"
#include "harness/core/error.h"
#include "harness/sandbox/sandbox.h"

namespace faultline {

namespace {

// The nodes of `all` that `spec.nodes` names, in that order, when the spec names nodes; else all.
std::vector<NodeSpec> pick(std::vector<NodeSpec> all, const Spec& spec, const std::string& source) {
  if (!spec.nodes_given) return all;
  std::vector<NodeSpec> picked;
  std::string known;
  for (const auto& n : all) known += (known.empty() ? "" : ", ") + n.name;
  for (const auto& name : spec.nodes) {
    auto it = std::find_if(all.begin(), all.end(), [&](const NodeSpec& n) { return n.name == name; });
    if (it == all.end())
      fail(ErrorCode::kBadInput, "node " + name + " is not in " + source + " (it has " + known + ")");
    picked.push_back(*it);
  }
  return picked;
}

}  // namespace

std::vector<NodeSpec> resolve_nodes(const Spec& spec) {
  if (!spec.sandbox.empty() && !spec.nodes_file.empty())
    fail(ErrorCode::kBadInput, "give either a sandbox or a nodes file, not both");
  if (!spec.sandbox.empty())
    return pick(load_sandbox_nodes(default_sandbox_dir(spec.sandbox)), spec, "sandbox " + spec.sandbox);
  NodeSpec defaults;
  const Json& ssh = spec.ssh;
  if (ssh.contains("user")) defaults.user = ssh["user"].get<std::string>();
  if (ssh.contains("key")) defaults.key_path = ssh["key"].get<std::string>();
  if (ssh.contains("password")) defaults.password = ssh["password"].get<std::string>();
  if (ssh.contains("password-env")) {
    std::string var = ssh["password-env"].get<std::string>();
    const char* value = std::getenv(var.c_str());
    if (!value) fail(ErrorCode::kBadInput, "ssh password-env: environment variable " + var + " is not set");
    defaults.password = value;
  }
  if (ssh.contains("port")) defaults.port = ssh["port"].get<int>();
  if (ssh.contains("known-hosts")) defaults.known_hosts = ssh["known-hosts"].get<std::string>();
  if (ssh.contains("host-key-policy"))
    defaults.host_key_policy = parse_host_key_policy(ssh["host-key-policy"].get<std::string>());
  if (!spec.nodes_file.empty()) return pick(read_nodes_file(spec.nodes_file, defaults), spec, spec.nodes_file);
  return nodes_from_json(spec.nodes, defaults);
}

std::vector<Session*> Cluster::session_ptrs() const {
  std::vector<Session*> out;
  for (const auto& s : sessions) out.push_back(s.get());
  return out;
}

std::vector<std::string> Cluster::names() const {
  std::vector<std::string> out;
  for (const auto& n : nodes) out.push_back(n.name);
  return out;
}

Cluster connect_cluster(const Spec& spec) {
  Cluster c;
  try {
    c.nodes = resolve_nodes(spec);
  } catch (const Json::exception& e) {
    fail(ErrorCode::kBadInput, std::string("spec field \"ssh\": ") + e.what());
  }
  c.sessions = open_sessions(c.nodes);
  // The checks of `faultline nodes check`, before anything starts: a node whose sudo refuses, or
  // that lacks a tool the faults need, is one line now rather than a failed fault mid-test.
  auto checks = values_or_throw(fan_out(c.sessions, [](const std::unique_ptr<Session>& s) { return check_node(*s); }));
  std::string problems;
  for (const auto& check : checks) {
    if (check.privilege.empty() || (!check.missing.empty() && !spec.nemesis.empty())) {
      for (const auto& problem : check.problems) problems += (problems.empty() ? "" : "; ") + problem;
    }
  }
  if (!problems.empty()) fail(ErrorCode::kBadInput, problems);
  return c;
}

}  // namespace faultline
