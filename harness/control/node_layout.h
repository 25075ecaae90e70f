// Where things live on every node, real or sandbox: the paths targets and the nemesis agree on.
#pragma once

#include <string>

namespace faultline {

// Each node's own writable directory, at the same absolute path on every node.
inline constexpr const char* kNodeStorage = "/var/lib/faultline/node";

// The nemesis's notes on a node (what it paused, killed, skewed), so a later heal finds them.
inline const std::string kNemesisStateDir = std::string(kNodeStorage) + "/nemesis";

}  // namespace faultline
