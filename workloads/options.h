// Reading workload options with defaults and bounds; a wrong type or value is Error(kBadInput)
// naming the option.
#pragma once

#include <string>
#include <vector>

#include "harness/core/json.h"

namespace faultline {

int option_int(const Json& options, const std::string& name, int fallback, int min);
bool option_bool(const Json& options, const std::string& name, bool fallback);
// One of `allowed`.
std::string option_choice(const Json& options, const std::string& name, const std::string& fallback,
                          const std::vector<std::string>& allowed);

}  // namespace faultline
