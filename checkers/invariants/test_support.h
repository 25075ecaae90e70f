// Test helpers: histories written inline as Jepsen EDN, and the public histories of known verdict.
#pragma once

#include <string>
#include <string_view>

#include "checkers/checker.h"
#include "harness/core/history_io.h"

namespace faultline::invariants {

// A history from EDN text, one op map per line, indexed from 0.
inline History edn(std::string_view text) { return read_edn_history(text, "inline history"); }

// A history from ../shared/data/elle-cli/jepsen/NAME.
inline History jepsen_history(const std::string& name) {
  return read_history_file(std::string(FAULTLINE_DATA_DIR) + "/elle-cli/jepsen/" + name);
}

inline CheckResult run(const Checker& checker, const History& history, Json options = Json::object()) {
  CheckOptions o;
  o.options = std::move(options);
  return checker.check(history, o);
}

}  // namespace faultline::invariants
