// The run log: timestamped lines in faultline.log of the run directory, and on stderr when asked.
#pragma once

#include <filesystem>
#include <string>

namespace faultline {

// Sends log lines to `path` (appending) from now on; empty path: file logging off.
void log_to_file(const std::filesystem::path& path);
// Also echo info lines on stderr (warnings always go there).
void log_verbose(bool on);
void log_info(const std::string& message);
void log_warn(const std::string& message);

}  // namespace faultline
