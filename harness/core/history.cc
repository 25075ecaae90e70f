#include "harness/core/history.h"

#include "harness/core/error.h"

namespace faultline {

void reindex(History& history) {
  for (size_t i = 0; i < history.size(); ++i) history[i].index = static_cast<int64_t>(i);
}

void validate(const History& history, const std::string& source) {
  validate_ops(history, source, [&](size_t i) { return describe(history[i]); });
}

std::vector<int64_t> pair_index(const History& history) { return pair_positions(history); }

}  // namespace faultline
