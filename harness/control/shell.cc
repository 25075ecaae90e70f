#include "harness/control/shell.h"

namespace faultline {

std::string shell_quote(std::string_view arg) {
  // Words made only of these characters mean the same quoted or not; leave them readable.
  auto is_safe = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
  };
  bool safe = !arg.empty();
  for (char c : arg) safe = safe && is_safe(c);
  if (safe) return std::string(arg);
  // Single quotes keep every byte literally; a single quote itself becomes '\''.
  std::string quoted = "'";
  for (char c : arg) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += ' ';
    line += shell_quote(arg);
  }
  return line;
}

}  // namespace faultline
