// What the nemesis needs from a target to crash, restart, pause and corrupt it on a node. A target
// that runs a daemon on each node implements this; the nemesis never sees the target itself.
#pragma once

#include <string>
#include <vector>

#include "harness/control/session.h"

namespace faultline {

class Daemon {
 public:
  virtual ~Daemon() = default;
  // SIGKILLs the target's processes on the node (a crash).
  virtual void kill(Session& node) = 0;
  // Starts the target on the node again after kill; returns once it was started.
  virtual void start(Session& node) = 0;
  // SIGSTOP / SIGCONT of the target's processes.
  virtual void pause(Session& node) = 0;
  virtual void resume(Session& node) = 0;
  // The nodes currently acting as primary/leader; empty when the target cannot tell.
  virtual std::vector<std::string> primaries(const std::vector<Session*>& nodes) { return {}; }
  // Files holding the target's data on the node, for disk faults; empty when none are known.
  virtual std::vector<std::string> data_files(Session& node) { return {}; }
};

}  // namespace faultline
