#include "harness/run/cluster.h"

#include <cstdlib>

#include "harness/control/remote.h"
#include "harness/core/error.h"
#include "harness/sandbox/sandbox.h"

namespace faultline {

std::vector<NodeSpec> resolve_nodes(const Spec& spec) {
  if (!spec.sandbox.empty()) return load_sandbox_nodes(default_sandbox_dir(spec.sandbox));
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
  if (!spec.nodes_file.empty()) return read_nodes_file(spec.nodes_file, defaults);
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
  return c;
}

}  // namespace faultline
