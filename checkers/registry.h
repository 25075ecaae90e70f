// Checkers by name, as used by `faultline check --model NAME` and by workloads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "checkers/checker.h"

namespace faultline {

// The checker for a model or checker name ("cas-register", "list-append", "counter", "stats" …).
// Throws Error(kNotFound) listing the known names.
std::unique_ptr<Checker> make_checker(const std::string& name);
std::vector<std::string> checker_names();

}  // namespace faultline
