// The live status of a running test: one line redrawn in place on a terminal, a periodic log line
// otherwise.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "harness/core/op.h"

namespace faultline {

class StatusLine {
 public:
  // time_limit in seconds; shown as elapsed / limit.
  explicit StatusLine(double time_limit);
  ~StatusLine();
  void observe(const Op& op);  // thread-safe, cheap
  void stop();

 private:
  void loop();
  std::string line(double elapsed) const;

  double time_limit_;
  bool tty_;
  std::atomic<int64_t> ok_{0}, fail_{0}, info_{0};
  mutable std::mutex mu_;
  std::multiset<std::string> faults_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace faultline
