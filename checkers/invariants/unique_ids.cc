#include "checkers/invariants/unique_ids.h"

#include <algorithm>
#include <map>

#include "checkers/invariants/common.h"

namespace faultline {
namespace {

using invariants::evidence;

// As in Jepsen: enough to find the problem without flooding results.json.
constexpr size_t kListedDuplicates = 48;

CheckResult judge(const History& history) {
  int64_t attempted = 0, acknowledged = 0;
  std::map<Json, std::vector<const Op*>> returned_by;
  Json first_duplicate;
  for (const Op& op : history) {
    if (op.is_nemesis() || op.f != "generate") continue;
    if (op.is_invoke()) ++attempted;
    if (!op.is_ok()) continue;
    ++acknowledged;
    auto& ops = returned_by[op.value];
    if (ops.size() == 1 && first_duplicate.is_null())
      first_duplicate = {{"id", op.value}, {"op", evidence(op)}, {"earlier", evidence(*ops.front())}};
    ops.push_back(&op);
  }
  std::vector<std::pair<const Json*, const std::vector<const Op*>*>> dups;
  for (const auto& [id, ops] : returned_by)
    if (ops.size() > 1) dups.emplace_back(&id, &ops);
  std::stable_sort(dups.begin(), dups.end(),
                   [](const auto& a, const auto& b) { return a.second->size() > b.second->size(); });
  Json listed = Json::array();
  for (size_t k = 0; k < dups.size() && k < kListedDuplicates; ++k) {
    Json indices = Json::array();
    for (const Op* op : *dups[k].second) indices.push_back(op->index);
    listed.push_back({{"id", *dups[k].first}, {"count", dups[k].second->size()}, {"indices", indices}});
  }
  CheckResult r;
  r.verdict = dups.empty() ? Verdict::kValid : Verdict::kInvalid;
  r.details = {{"attempted-count", attempted},
               {"acknowledged-count", acknowledged},
               {"duplicated-count", dups.size()},
               {"duplicated", listed}};
  r.details["range"] =
      returned_by.empty() ? Json(nullptr) : Json::array({returned_by.begin()->first, returned_by.rbegin()->first});
  if (!dups.empty()) {
    r.details["first-duplicate"] = first_duplicate;
    r.explanation = std::to_string(dups.size()) +
                    " id(s) generated more than once; first: " + first_duplicate["id"].dump() + " at index " +
                    first_duplicate["op"]["index"].dump() + ", already returned at index " +
                    first_duplicate["earlier"]["index"].dump();
  }
  return r;
}

class UniqueIdsChecker : public Checker {
 public:
  std::string name() const override { return "unique-ids"; }
  CheckResult check(const HistoryView& input, const CheckOptions&) const override {
    const History& history = input.ops();
    return judge(history);
  }
};

}  // namespace

std::unique_ptr<Checker> unique_ids_checker() { return std::make_unique<UniqueIdsChecker>(); }

}  // namespace faultline
