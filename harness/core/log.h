// The run log: timestamped lines in faultline.log of the run directory; warnings also on stderr.
#pragma once

#include <filesystem>
#include <string>

namespace faultline {

// Sends log lines to `path` (appending) from now on; empty path: file logging off.
void log_to_file(const std::filesystem::path& path);
void log_info(const std::string& message);
void log_warn(const std::string& message);

// Now in UTC with milliseconds: "2026-12-02T16:04:28.123Z" for log lines and indexes, and in ISO 8601's
// basic form "20261202T160428.123Z" for directory names.
std::string utc_now_iso();
std::string utc_now_basic();

}  // namespace faultline
