// A node's power, for the power fault. Only nodes the project runs as VMs have one (harness/sandbox
// makes it), so the nemesis cuts power without knowing about the sandbox.
#pragma once

#include <string>

namespace faultline {

class PowerSwitch {
 public:
  virtual ~PowerSwitch() = default;
  // Cuts the node's power at once, without any sync: what it had not written back is lost.
  virtual void off(const std::string& node) = 0;
  // Boots the node again on the same disk; returns once it answers SSH.
  virtual void on(const std::string& node) = 0;
};

}  // namespace faultline
