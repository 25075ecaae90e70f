#include "checkers/invariants/counter.h"

#include <algorithm>

#include "checkers/invariants/common.h"

namespace faultline {
namespace {

using invariants::bad_value;

int64_t integer_value(const Op& op) {
  if (!op.value.is_number_integer()) bad_value(op, "a counter " + op.f + " needs an integer value");
  return op.value.get<int64_t>();
}

// Sums of add amounts split by sign, so negative adds can widen the lower bound.
struct Sums {
  int64_t positive = 0, negative = 0;
  void add(int64_t n) { (n > 0 ? positive : negative) += n; }
};

CheckResult judge(const History& history) {
  std::vector<int64_t> partner = pair_index(history);
  Sums ok;        // adds that completed ok so far: surely took effect
  Sums possible;  // adds invoked so far that did not fail: may have taken effect
  std::vector<Sums> ok_at_invoke(history.size());
  int64_t read_count = 0;
  Json errors = Json::array();
  Json worst;
  int64_t worst_distance = 0;

  for (size_t i = 0; i < history.size(); ++i) {
    const Op& op = history[i];
    if (op.is_nemesis()) continue;
    bool completed_fail = partner[i] >= 0 && history[partner[i]].is_fail();
    if (op.f == "add") {
      if (op.is_invoke() && !completed_fail) possible.add(integer_value(op));
      if (op.is_ok()) {
        // The completion may omit the amount; the invocation always has it.
        const Op& source = op.value.is_null() && partner[i] >= 0 ? history[partner[i]] : op;
        ok.add(integer_value(source));
      }
    } else if (op.f == "read") {
      if (op.is_invoke()) ok_at_invoke[i] = ok;
      if (!op.is_ok() || partner[i] < 0) continue;
      ++read_count;
      const Sums& before = ok_at_invoke[partner[i]];
      int64_t lower = before.positive + possible.negative;
      int64_t upper = possible.positive + before.negative;
      int64_t value = integer_value(op);
      if (value >= lower && value <= upper) continue;
      int64_t distance = value < lower ? lower - value : value - upper;
      Json error = {{"lower", lower},
                    {"value", value},
                    {"upper", upper},
                    {"invoke-index", history[partner[i]].index},
                    {"op", invariants::evidence(op)}};
      if (distance > worst_distance) {
        worst_distance = distance;
        worst = error;
      }
      errors.push_back(std::move(error));
    }
  }

  CheckResult r;
  r.verdict = errors.empty() ? Verdict::kValid : Verdict::kInvalid;
  r.details = {{"read-count", read_count}, {"error-count", errors.size()}, {"errors", errors}};
  if (!errors.empty()) {
    const Json& first = errors.front();
    r.details["first-error"] = first;
    r.details["worst-error"] = worst;
    r.explanation = std::to_string(errors.size()) + " of " + std::to_string(read_count) +
                    " reads out of bounds; first: the read at index " + first["op"]["index"].dump() + " returned " +
                    first["value"].dump() + ", but the counter had to be between " + first["lower"].dump() + " and " +
                    first["upper"].dump();
  }
  return r;
}

class CounterChecker : public Checker {
 public:
  std::string name() const override { return "counter"; }
  CheckResult check(const HistoryView& input, const CheckOptions&) const override {
    const History& history = input.ops();
    return invariants::unknown_on_bad_value([&] { return judge(history); });
  }
};

}  // namespace

std::unique_ptr<Checker> counter_checker() { return std::make_unique<CounterChecker>(); }

}  // namespace faultline
