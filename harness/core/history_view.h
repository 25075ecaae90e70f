// What a checker is given: one history in whichever form it was read, with the other form made on
// first use (once, also when checkers run in parallel). Checkers on a hot path read compact();
// the others read ops(). Converts implicitly from both forms, so a caller passes what it has.
#pragma once

#include <mutex>
#include <optional>

#include "harness/core/compact_history.h"
#include "harness/core/history.h"

namespace faultline {

class HistoryView {
 public:
  HistoryView(const History& ops) : ops_(&ops) {}                     // NOLINT(google-explicit-constructor)
  HistoryView(const CompactHistory& compact) : compact_(&compact) {}  // NOLINT(google-explicit-constructor)
  HistoryView(const HistoryView&) = delete;
  HistoryView& operator=(const HistoryView&) = delete;

  const History& ops() const {
    std::call_once(ops_once_, [this] {
      if (!ops_) ops_ = &owned_ops_.emplace(compact_->history());
    });
    return *ops_;
  }
  const CompactHistory& compact() const {
    std::call_once(compact_once_, [this] {
      if (!compact_) compact_ = &owned_compact_.emplace(faultline::compact(*ops_));
    });
    return *compact_;
  }

 private:
  mutable const History* ops_ = nullptr;
  mutable const CompactHistory* compact_ = nullptr;
  mutable std::once_flag ops_once_, compact_once_;
  mutable std::optional<History> owned_ops_;
  mutable std::optional<CompactHistory> owned_compact_;
};

}  // namespace faultline
