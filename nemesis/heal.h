// Healing a node by hand or before a run: undo everything faultline's nemesis may have left.
#pragma once

#include <string>
#include <vector>

#include "harness/control/session.h"

namespace faultline {

// Removes faultline's iptables chains and tc qdiscs, resumes the processes it paused, resets clock
// offsets (faketime file or system clock, restarting NTP it stopped) and forgets kills. Returns one
// line per thing found and undone; empty when the node was clean. Other rules and qdiscs stay.
std::vector<std::string> heal_node(Session& node);

}  // namespace faultline
