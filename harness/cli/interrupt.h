// Ctrl-C and SIGTERM for long-running commands: the first asks the work to stop cleanly (heal,
// check, write results), a second one exits at once.
#pragma once

#include <atomic>

namespace faultline {

// Installs the handlers and returns the flag they set.
const std::atomic<bool>& stop_on_interrupt();

}  // namespace faultline
