// Process faults through the target's Daemon capability: kill (SIGKILL) and start, pause (SIGSTOP)
// and resume, and disk corruption of the target's data files while it is down. What was done is
// also noted on the node (under kNemesisStateDir) so a later heal finds it after a crash.
#pragma once

#include <memory>
#include <string>

#include "harness/control/daemon.h"
#include "harness/control/node_layout.h"
#include "nemesis/nemesis.h"
#include "nemesis/nodes.h"

namespace faultline {

// The nemesis's notes on each node (its own storage on the sandbox).

// Script that SIGCONTs the processes faultline paused and forgets what it killed, printing one
// line per thing it found.
std::string process_heal_script();

// Handles kill, start, pause, resume and corrupt-file. kill/pause/corrupt-file take a node selector
// (nodes.h; default "one"); start/resume take one too, or "killed"/"paused" (the default): the nodes
// this nemesis killed or paused. corrupt-file takes {"nodes", "mode": "truncate"|"bitflip",
// "bits": flips per file}: it kills the node, corrupts Daemon::data_files, and starts it again.
std::unique_ptr<Nemesis> process_nemesis(const NemesisNodes& nodes, Daemon& daemon, uint64_t seed);

}  // namespace faultline
