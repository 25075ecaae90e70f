#include "harness/core/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace faultline {
namespace {

std::mutex mu;
std::FILE* file = nullptr;

void write(const char* level, const std::string& message, bool to_stderr) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  int ms =
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  char stamp[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard lock(mu);
  if (file) {
    std::fprintf(file, "%s.%03dZ %s %s\n", stamp, ms, level, message.c_str());
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
