// Network faults on a node: partitions and packet loss as DROP rules in faultline's own iptables
// chains (FAULTLINE, jumped to first from INPUT, and its FAULTLINE-PARTITION and FAULTLINE-LOSS
// sub-chains), delay/jitter/duplication/reordering with tc netem and bandwidth limits with tc tbf
// as a root qdisc with faultline's handle fa17:. Nothing else on the node is touched.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/control/session.h"
#include "nemesis/nemesis.h"
#include "nemesis/nodes.h"

namespace faultline {

// What the network faults need to know about a node, asked once over its session.
struct NodeNetwork {
  std::vector<std::string> addresses;  // its global IPv4 addresses: peers drop packets from these
  std::string controller;              // the address the controller's SSH comes from (empty: local)
  std::string ssh_port;                // the node's SSH port the controller uses
  std::string device;                  // the interface carrying the controller's SSH (and the cluster's traffic)
};
NodeNetwork probe_network(Session& node);

// Script that (re)creates faultline's chains on a node. The controller's SSH is accepted before
// any faultline rule, so a fault can never cut the harness off.
std::string chains_script(const NodeNetwork& node);
// Script that replaces the node's partition rules by drops of packets from `from`.
std::string partition_script(const NodeNetwork& node, const std::set<std::string>& from);
// Script that replaces the node's loss rules: drop each packet from `from` with `probability`.
std::string loss_script(const NodeNetwork& node, const std::set<std::string>& from, double probability);
// Script that removes faultline's chains and qdiscs and prints one line per thing it removed.
std::string network_heal_script();

// Handles start-/stop-partition, start-/stop-loss, start-/stop-netem, start-/stop-bandwidth.
// Values: start-partition takes a partition shape (partition.h); start-loss {"probability" p,
// "nodes" selector, "peers" selector}; start-netem {"nodes", "delay-ms", "jitter-ms",
// "duplicate", "reorder", "loss"}; start-bandwidth {"nodes", "rate" like "1mbit"}.
std::unique_ptr<Nemesis> network_nemesis(const NemesisNodes& nodes, uint64_t seed);

}  // namespace faultline
