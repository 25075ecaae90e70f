// The run log: timestamped lines in faultline.log of the run directory; warnings also on stderr.
#pragma once

#include <filesystem>
#include <string>

namespace faultline {

// Sends log lines to `path` (appending) from now on; empty path: file logging off.
void log_to_file(const std::filesystem::path& path);
void log_info(const std::string& message);
void log_warn(const std::string& message);

}  // namespace faultline
