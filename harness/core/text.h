// Small text helpers for messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// "a, b, c": items between separators, for lists in messages ("known: …").
inline std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace faultline
