#include "harness/core/log.h"

#include <fmt/chrono.h>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace faultline {

namespace {
template <typename Format>
std::string utc_now(Format format) {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format(format, fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}
}  // namespace

std::string utc_now_iso() { return utc_now(FMT_STRING("{:%Y-%m-%dT%H:%M:%S}.{:03}Z")); }
std::string utc_now_basic() { return utc_now(FMT_STRING("{:%Y%m%dT%H%M%S}.{:03}Z")); }

namespace {

std::mutex mu;
std::FILE* file = nullptr;

void write(const char* level, const std::string& message, bool to_stderr) {
  const std::string stamp = utc_now_iso();
  std::lock_guard lock(mu);
  if (file) {
    fmt::print(file, "{} {} {}\n", stamp, level, message);
    std::fflush(file);
  }
  if (to_stderr) std::fprintf(stderr, "%s %s\n", level, message.c_str());
}

}  // namespace

void log_to_file(const std::filesystem::path& path) {
  std::lock_guard lock(mu);
  if (file) std::fclose(file);
  file = path.empty() ? nullptr : std::fopen(path.c_str(), "a");
}

void log_info(const std::string& message) { write("INFO", message, false); }
void log_warn(const std::string& message) { write("WARN", message, true); }

}  // namespace faultline
