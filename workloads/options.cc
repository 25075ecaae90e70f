#include "workloads/options.h"

#include "harness/core/error.h"

namespace faultline {
namespace {
[[noreturn]] void bad(const std::string& name, const std::string& why) {
  fail(ErrorCode::kBadInput, "workload option \"" + name + "\" " + why);
}
}  // namespace

int option_int(const Json& options, const std::string& name, int fallback, int min) {
  auto it = options.find(name);
  if (it == options.end()) return fallback;
  if (!it->is_number_integer()) bad(name, "must be an integer");
  int v = it->get<int>();
  if (v < min) bad(name, "must be at least " + std::to_string(min));
  return v;
}

bool option_bool(const Json& options, const std::string& name, bool fallback) {
  auto it = options.find(name);
  if (it == options.end()) return fallback;
  if (!it->is_boolean()) bad(name, "must be true or false");
  return it->get<bool>();
}

std::string option_choice(const Json& options, const std::string& name, const std::string& fallback,
                          const std::vector<std::string>& allowed) {
  auto it = options.find(name);
  if (it == options.end()) return fallback;
  if (!it->is_string()) bad(name, "must be a string");
  std::string v = it->get<std::string>();
  std::string list;
  for (const auto& a : allowed) {
    if (a == v) return v;
    list += (list.empty() ? "" : ", ") + a;
  }
  bad(name, "must be one of " + list + ", got \"" + v + "\"");
}

}  // namespace faultline
