#include "checkers/invariants/common.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "harness/core/error.h"

namespace faultline::invariants {
namespace {

[[noreturn]] void bad_option(std::string_view name, const Json& value, const char* expected) {
  fail(ErrorCode::kBadInput,
       "checker option \"" + std::string(name) + "\" must be " + expected + ", got " + value.dump());
}

}  // namespace

const Json* find_option(const CheckOptions& options, std::string_view name) {
  if (!options.options.is_object()) return nullptr;
  auto it = options.options.find(std::string(name));
  if (it == options.options.end() || it->is_null()) return nullptr;
  return &*it;
}

bool bool_option(const CheckOptions& options, std::string_view name, bool fallback) {
  const Json* v = find_option(options, name);
  if (!v) return fallback;
  if (!v->is_boolean()) bad_option(name, *v, "true or false");
  return v->get<bool>();
}

int64_t int_option(const CheckOptions& options, std::string_view name, int64_t fallback) {
  const Json* v = find_option(options, name);
  if (!v) return fallback;
  if (!v->is_number_integer()) bad_option(name, *v, "an integer");
  return v->get<int64_t>();
}

double number_option(const CheckOptions& options, std::string_view name, double fallback) {
  const Json* v = find_option(options, name);
  if (!v) return fallback;
  if (!v->is_number()) bad_option(name, *v, "a number");
  return v->get<double>();
}

Json evidence(const Op& op) { return to_json(op); }

Json op_ref(const Op& op) {
  Json j = to_json(op);
  j.erase("value");
  return j;
}

void bad_value(const Op& op, const std::string& what) {
  fail(ErrorCode::kBadInput, "op " + std::to_string(op.index) + " (" + describe(op) + "): " + what);
}

CheckResult unknown_on_bad_value(const std::function<CheckResult()>& judge) {
  try {
    return judge();
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kBadInput) throw;
    CheckResult r;
    r.verdict = Verdict::kUnknown;
    r.explanation = e.what();
    r.details = {{"error", e.what()}};
    return r;
  }
}

Json quantiles(std::vector<double> values, const std::vector<double>& points) {
  if (values.empty()) return nullptr;
  std::sort(values.begin(), values.end());
  Json out = Json::object();
  for (double p : points) {
    size_t at = std::min(values.size() - 1, static_cast<size_t>(std::floor(values.size() * p)));
    std::ostringstream key;
    key << p;
    out[key.str()] = values[at];
  }
  return out;
}

const std::vector<double>& standard_points() {
  static const std::vector<double> points = {0, 0.5, 0.95, 0.99, 1};
  return points;
}

std::vector<int64_t> invocation_of(const History& history) {
  std::vector<int64_t> partner = pair_index(history);
  for (size_t i = 0; i < history.size(); ++i)
    if (history[i].is_invoke()) partner[i] = -1;
  return partner;
}

}  // namespace faultline::invariants
