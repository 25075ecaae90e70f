// Targets by name, as used by `faultline test --target NAME`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/core/spec.h"
#include "targets/target.h"

namespace faultline {

// Throws Error(kNotFound) listing the known targets, Error(kBadInput) for bad target options.
std::unique_ptr<Target> make_target(const Spec& spec);
std::vector<std::string> target_names();

}  // namespace faultline
