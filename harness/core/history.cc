#include "harness/core/history.h"

#include <algorithm>
#include <unordered_map>

#include "harness/core/error.h"

namespace faultline {

void reindex(History& history) {
  for (size_t i = 0; i < history.size(); ++i) history[i].index = static_cast<int64_t>(i);
}

void validate(const History& history, const std::string& source) {
  validate_ops(history, source, [&](size_t i) { return describe(history[i]); });
}

std::vector<int64_t> pair_index(const History& history) { return pair_positions(history); }

History complete_client_history(const History& history) {
  History out;
  out.reserve(history.size());
  std::unordered_map<int64_t, size_t> open;
  for (const Op& op : history) {
    if (op.is_nemesis()) continue;
    if (op.is_invoke())
      open[op.process] = out.size();
    else
      open.erase(op.process);
    out.push_back(op);
  }
  int64_t end_time = history.empty() ? 0 : history.back().time;
  std::vector<size_t> dangling;
  for (auto& [process, pos] : open) dangling.push_back(pos);
  std::sort(dangling.begin(), dangling.end());
  for (size_t pos : dangling) {
    Op info = out[pos];
    info.type = OpType::kInfo;
    info.time = end_time;
    info.index = -1;
    info.error = "never completed: the run ended first";
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace faultline
