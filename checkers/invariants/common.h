// Helpers shared by the invariant checkers: reading options, reporting ops as evidence, quantiles,
// and turning a history whose values do not fit a model into an unknown verdict.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "checkers/checker.h"

namespace faultline::invariants {

// Option `name` from options.options; nullptr when absent or null.
const Json* find_option(const CheckOptions& options, std::string_view name);
// Option `name` from options.options, or `fallback` when absent or null. Throws Error(kBadInput)
// naming the option when it has the wrong type.
bool bool_option(const CheckOptions& options, std::string_view name, bool fallback);
int64_t int_option(const CheckOptions& options, std::string_view name, int64_t fallback);
double number_option(const CheckOptions& options, std::string_view name, double fallback);

// An op as evidence: {"index","time","type","process","f","value"[,"error"][,"node"]}.
Json evidence(const Op& op);
// A short reference to an op, without its value (for ops whose value is large, like set reads):
// {"index","time","type","process","f"}.
Json op_ref(const Op& op);

// Throws Error(kBadInput) "op INDEX (DESCRIPTION): WHAT" for a value the model cannot read.
[[noreturn]] void bad_value(const Op& op, const std::string& what);

// Runs `judge`. An Error(kBadInput) it throws (a value the model cannot read, see bad_value) makes
// the result unknown with that message as explanation, so checkers never throw on odd histories.
CheckResult unknown_on_bad_value(const std::function<CheckResult()>& judge);

// Jepsen's frequency distribution: for each point p in [0,1], the value at floor(n*p) of the
// sorted values (clamped to the last). Keys are the points as text ("0", "0.5", "0.99", "1").
// Null when `values` is empty.
Json quantiles(std::vector<double> values, const std::vector<double>& points);

// The points Jepsen reports latencies at: 0, 0.5, 0.95, 0.99, 1.
const std::vector<double>& standard_points();

// For each position in `history`, the position of its invocation when it is a completion with
// one, else -1. Nemesis ops are paired too.
std::vector<int64_t> invocation_of(const History& history);

}  // namespace faultline::invariants
