// How a target starts its daemon so that the opt-in libfaketime clock backend reaches it. The
// nemesis's clock faults (nemesis/clock.h) rewrite kFaketimeFile; targets only prefix their start
// command. Ground floor, so that neither targets nor the nemesis depend on each other for it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace faultline {

// Debian's libfaketime (package libfaketime), thread-safe variant.
inline constexpr const char* kLibFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

// The per-node libfaketime offset file ("+1.5" = 1.5 s ahead); a missing file means no offset.
extern const std::string kFaketimeFile;

// The environment a daemon must start with on a sandbox node when TestEnv::faketime is true:
// LD_PRELOAD of libfaketimeMT reading kFaketimeFile uncached, monotonic clocks left real (as with a
// real clock step).
std::vector<std::pair<std::string, std::string>> faketime_environment();
// faketime_environment() as shell words to put before a command: "env LD_PRELOAD=… … ".
std::string faketime_prefix();

}  // namespace faultline
