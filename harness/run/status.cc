#include "harness/run/status.h"

#include <unistd.h>

#include <fmt/format.h>
#include <chrono>
#include <cstdio>

#include "harness/core/log.h"

namespace faultline {

StatusLine::StatusLine(double time_limit)
    : time_limit_(time_limit), tty_(isatty(STDERR_FILENO) != 0), thread_([this] { loop(); }) {}

StatusLine::~StatusLine() { stop(); }

void StatusLine::stop() {
  if (done_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  if (tty_) std::fprintf(stderr, "\r\033[K");
}

void StatusLine::observe(const Op& op) {
  if (op.is_nemesis()) {
    // Faults are start/stop pairs: "start-partition" opens "partition", "stop-partition" closes it.
    if (!op.is_invoke()) return;
    std::lock_guard lock(mu_);
    if (op.f.rfind("start-", 0) == 0)
      faults_.insert(op.f.substr(6));
    else if (op.f.rfind("stop-", 0) == 0) {
      auto it = faults_.find(op.f.substr(5));
      if (it != faults_.end()) faults_.erase(it);
    } else if (op.f == "kill" || op.f == "pause")
      faults_.insert(op.f);
    else if (op.f == "start" || op.f == "resume") {
      auto it = faults_.find(op.f == "start" ? "kill" : "pause");
      if (it != faults_.end()) faults_.erase(it);
    }
    return;
  }
  if (op.is_ok())
    ++ok_;
  else if (op.is_fail())
    ++fail_;
  else if (op.is_info())
    ++info_;
}

std::string StatusLine::line(double elapsed) const {
  int64_t total = ok_ + fail_ + info_;
  std::string s = fmt::format("{:.0f}/{:.0f}s  {:.0f} ops/s  ok {}  fail {}  info {}", elapsed, time_limit_,
                              elapsed > 0 ? double(total) / elapsed : 0.0, ok_.load(), fail_.load(), info_.load());
  std::lock_guard lock(mu_);
  if (!faults_.empty()) {
    s += "  faults:";
    for (const auto& f : faults_) s += " " + f;
  }
  return s;
}

void StatusLine::loop() {
  auto start = std::chrono::steady_clock::now();
  auto last_log = start;
  while (!done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - start).count();
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s", line(elapsed).c_str());
      std::fflush(stderr);
    }
    if (now - last_log >= std::chrono::seconds(10)) {
      last_log = now;
      if (!tty_) std::fprintf(stderr, "%s\n", line(elapsed).c_str());
      log_info(line(elapsed));
    }
  }
}

}  // namespace faultline
