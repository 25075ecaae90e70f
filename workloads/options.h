// Workload options are read with the one typed reader (harness/core/options.h): a wrong type or
// value is Error(kBadInput) naming the option.
#pragma once

#include "harness/core/options.h"

namespace faultline {

inline OptionReader workload_options(const Json& options) { return OptionReader(options, "workload option"); }

}  // namespace faultline
