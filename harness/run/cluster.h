// The cluster of a run: which nodes, and an open SSH session to each.
#pragma once

#include <memory>
#include <vector>

#include "harness/control/nodes.h"
#include "harness/control/session.h"
#include "harness/core/spec.h"

namespace faultline {

// The nodes a spec names: its sandbox, its nodes file, or its nodes list with the spec's ssh
// settings (user, key, password, port, host-key-policy, known-hosts). Throws Error(kBadInput).
std::vector<NodeSpec> resolve_nodes(const Spec& spec);

struct Cluster {
  std::vector<NodeSpec> nodes;
  std::vector<std::unique_ptr<Session>> sessions;  // in node order
  std::vector<Session*> session_ptrs() const;
  std::vector<std::string> names() const;
};

// Opens a session to every node in parallel; throws one Error naming every unreachable node.
Cluster connect_cluster(const Spec& spec);

}  // namespace faultline
