// The checks faultline makes on every node before a test, and `faultline nodes check` prints:
// the node answers over SSH, sudo works for a login user that is not root, the tools faults need
// (iptables, tc, date) are there, and how far its clock is from the controller's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/control/nodes.h"
#include "harness/control/session.h"

namespace faultline {

struct NodeCheck {
  std::string node;
  bool reachable = false;
  std::string privilege;               // "root", "sudo" or "sudo with password"; empty when sudo fails
  std::vector<std::string> missing;    // tools not found on the node
  std::optional<double> clock_offset;  // seconds, the node's clock minus the controller's
  std::vector<std::string> problems;   // one line each, naming the node and the command
  bool ok() const { return problems.empty(); }
};

// The tools the network and clock faults run on a node.
const std::vector<std::string>& fault_tools();

// The node's clock minus the controller's, in seconds rounded to the millisecond, read as the
// login user (sudo would delay the read): of `samples` reads, the one with the quickest round
// trip. `prefix` (a command such as `env …`) goes before `date`.
double clock_offset(Session& node, const std::string& prefix = "", int samples = 5);

// Runs the checks over an open session.
NodeCheck check_node(Session& node);
// Opens a session to each node and checks it, all at once; an unreachable node is a problem too.
std::vector<NodeCheck> check_nodes(const std::vector<NodeSpec>& nodes);

// "n1: reachable, sudo, iptables tc date present, clock +0.012 s" or the node's problems.
std::string describe(const NodeCheck& check);

}  // namespace faultline
