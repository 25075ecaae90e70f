// Clock faults: bump a node's clock by a delta, strobe it (flip back and forth for a while), reset
// it; after each op every node's actual offset from the controller's clock is measured.
//
// Two backends. The sandbox's never touches the machine's clock: targets start their daemons
// under libfaketime (faketime_environment() / faketime_prefix()) and the nemesis rewrites the
// node's offset file kFaketimeFile, which libfaketime rereads at every clock call. Real hosts' sets
// the system clock (date -s, i.e. clock_settime) with NTP services stopped first and restarted at
// reset; the offset it applied is noted on the node so reset and heal can undo it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/control/session.h"
#include "nemesis/nemesis.h"
#include "nemesis/nodes.h"

namespace faultline {

// The per-node libfaketime offset file ("+1.5" = 1.5 s ahead); a missing file means no offset.
extern const std::string kFaketimeFile;

// The environment a target must start its daemon with on a sandbox node when TestEnv::faketime is
// true, so clock faults reach it: LD_PRELOAD of libfaketimeMT reading kFaketimeFile uncached,
// monotonic clocks left real (as with a real clock step). Stable API for targets.
std::vector<std::pair<std::string, std::string>> faketime_environment();
// faketime_environment() as shell words to put before a command: "env LD_PRELOAD=… … ".
std::string faketime_prefix();

// Script that resets both backends' offsets and restarts NTP services the nemesis stopped,
// printing one line per thing it found.
std::string clock_heal_script();

// The node's clock minus the controller's, in seconds (read through libfaketime when `sandbox`).
double measure_clock_offset(Session& node, bool sandbox);

// Handles bump-clock {"nodes" selector (default "one"), "delta" seconds}, strobe-clock {"nodes",
// "delta", "period-ms", "duration" seconds} and reset-clock {"nodes" (default "all")}. Each
// completion's value has "clock-offsets": {node: seconds} measured on every node afterwards.
std::unique_ptr<Nemesis> clock_nemesis(const NemesisNodes& nodes, bool sandbox, uint64_t seed);

}  // namespace faultline
