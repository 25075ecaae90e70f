// A self-contained HTML view of the failing part of a history: one lane per process, ops as bars
// over (compressed) history positions, the partial linearization numbered in order, the op that
// cannot be linearized and its concurrent ops highlighted. Only the neighbourhood of the failure is
// drawn, so it stays readable for long histories.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/core/history.h"

namespace faultline::linear {

struct HtmlBar {
  enum class Role { kOther, kLinearized, kStuck, kConcurrent };
  int64_t process = 0;
  int64_t start = 0;  // invocation position
  int64_t end = -1;   // completion position; -1 = never completed (info)
  std::string label;
  Role role = Role::kOther;
  int32_t order = -1;  // position in the partial linearization, when linearized
  std::string model_after;
};

struct HtmlView {
  std::string title;
  std::string explanation;
  std::vector<HtmlBar> bars;
  int64_t focus_end = 0;  // the completion of the stuck op: the window ends shortly after it
};

// Writes the view of a part of a history of `history_size` ops to path. Throws Error(kIo) naming
// the file when it cannot.
void write_html_view(const std::filesystem::path& path, size_t history_size, const HtmlView& view);

}  // namespace faultline::linear
