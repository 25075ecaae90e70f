#include "checkers/stats.h"

#include <map>

namespace faultline {
namespace {

struct Counts {
  int64_t ok = 0, fail = 0, info = 0;
  int64_t total() const { return ok + fail + info; }
};

Json to_json(const Counts& c) {
  return {
      {"count", c.total()}, {"ok-count", c.ok}, {"fail-count", c.fail}, {"info-count", c.info}, {"valid", c.ok > 0}};
}

class StatsChecker : public Checker {
 public:
  std::string name() const override { return "stats"; }

  CheckResult check(const HistoryView& input, const CheckOptions&) const override {
    const History& history = input.ops();
    Counts all;
    std::map<std::string, Counts> by_f;
    for (const Op& op : history) {
      if (op.is_nemesis() || op.is_invoke()) continue;
      Counts& c = by_f[op.f];
      (op.is_ok() ? c.ok : op.is_fail() ? c.fail : c.info)++;
      (op.is_ok() ? all.ok : op.is_fail() ? all.fail : all.info)++;
    }
    CheckResult r;
    r.details = to_json(all);
    r.details["by-f"] = Json::object();
    std::string never;
    for (const auto& [f, c] : by_f) {
      r.details["by-f"][f] = to_json(c);
      if (c.ok == 0) never += (never.empty() ? "" : ", ") + f;
    }
    if (all.total() == 0) {
      r.verdict = Verdict::kUnknown;
      r.explanation = "no client operation completed: nothing to judge";
      r.details["valid"] = "unknown";
      return r;
    }
    r.verdict = never.empty() ? Verdict::kValid : Verdict::kInvalid;
    if (!never.empty()) r.explanation = "no successful operation of: " + never;
    r.details["valid"] = never.empty();
    return r;
  }
};

}  // namespace

std::unique_ptr<Checker> stats_checker() { return std::make_unique<StatsChecker>(); }

}  // namespace faultline
