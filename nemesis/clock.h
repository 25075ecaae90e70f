// Clock faults: bump a node's clock by a delta, strobe it (flip back and forth for a while), reset
// it; after each op every node's actual offset from the controller's clock is measured.
//
// Three backends. The sandbox's default, ptrace, never touches the machine's clock: the helper
// faultline-clock (nemesis/clockhook/) redirects the vDSO clock functions of every target process
// on the node to code that adds the node's offset, so it reaches Go as well as libc programs (x86-64
// only; programs making the raw clock syscall are not reached; monotonic clocks stay real). The
// opt-in faketime backend (nemesis option clock.backend = "faketime") starts daemons under
// libfaketime (harness/control/clock_launch.h) and rewrites the node's offset file
// kFaketimeFile; it does not reach Go. Real hosts' sets the system clock (date -s, i.e.
// clock_settime) with NTP services stopped first and restarted at reset; the offset it applied is
// noted on the node so reset and heal can undo it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/control/session.h"
#include "nemesis/nemesis.h"
#include "nemesis/nodes.h"

namespace faultline {

enum class ClockBackend { kSystem, kPtrace, kFaketime };

// The backend for a run: kSystem off the sandbox; on it kPtrace unless `nemesis_options` has
// {"clock": {"backend": "faketime"}}. Bad values throw kBadInput.
ClockBackend clock_backend_for(bool sandbox, const Json& nemesis_options);

// The ptrace backend's helper binary on the controller (its build path, or $FAULTLINE_CLOCK_HELPER),
// and where preflight() puts it on each node.
std::string clock_helper_path();
extern const std::string kNodeClockHelper;

// Script that resets every backend's offsets and (unless told not to) restarts the NTP daemons the
// nemesis stopped, printing one line per thing it found.
std::string clock_heal_script(bool restart_ntp = true);
// Script that starts again the NTP daemons the nemesis stopped: systemd units by name, daemons
// without systemd by their noted command line. Prints "restarted ..." for each.
std::string ntp_restart_script();

// The node's clock minus the controller's, in seconds (read through libfaketime when `faketime`).
double measure_clock_offset(Session& node, bool faketime);

// Real hosts' reset-clock also steps away any offset from the controller left after undoing
// faultline's own steps (clock drift), so that every node ends within 20 ms of the controller as
// measured over SSH; its completion has "aligned": {node: seconds stepped}.
// Handles bump-clock {"nodes" selector (default "one"), "delta" seconds}, strobe-clock {"nodes",
// "delta", "period-ms", "duration" seconds} and reset-clock {"nodes" (default "all")}. Each
// completion's value has "clock-offsets": {node: seconds} measured on every node afterwards; with
// ptrace, the offset the target's processes observe (each is made to read its clock once; their
// offsets per pid are in "clock-observed"), or null when the node has no process of the target.
// setup() refuses, with one line, a ptrace clock fault that cannot reach the target (a node that is
// not x86-64, or no target process on any node).
std::unique_ptr<Nemesis> clock_nemesis(const NemesisNodes& nodes, ClockBackend backend, uint64_t seed);

}  // namespace faultline
