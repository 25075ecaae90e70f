// The power fault on VM nodes: power-off kills a node's VM without any sync (what the guest had not
// written back to its disk is lost), power-on boots it again on the same disk and starts the
// target there through its Daemon, so it restarts on whatever data survived.
#pragma once

#include <memory>

#include "harness/control/daemon.h"
#include "harness/control/power_switch.h"
#include "nemesis/nemesis.h"
#include "nemesis/nodes.h"

namespace faultline {

// Handles power-off {"nodes" selector, default "one"} and power-on {"nodes", default "off": the
// nodes this nemesis cut}. `power` is the nodes' power switch; null when the nodes are not VMs,
// which setup() refuses with one line.
std::unique_ptr<Nemesis> power_nemesis(const NemesisNodes& nodes, Daemon& daemon, PowerSwitch* power, uint64_t seed);

}  // namespace faultline
