#include "checkers/invariants/set.h"

#include <map>
#include <set>

#include "checkers/invariants/common.h"

namespace faultline {
namespace {

using invariants::evidence;

CheckResult judge(const History& history) {
  std::set<Json> attempts;
  std::map<Json, const Op*> acknowledged;  // element -> its ok add
  const Op* final_read = nullptr;
  for (const Op& op : history) {
    if (op.is_nemesis()) continue;
    if (op.f == "add" && op.is_invoke()) attempts.insert(op.value);
    if (op.f == "add" && op.is_ok()) acknowledged.emplace(op.value, &op);
    if (op.f == "read" && op.is_ok()) final_read = &op;
  }
  CheckResult r;
  r.details = {{"attempt-count", attempts.size()}, {"acknowledged-count", acknowledged.size()}};
  if (!final_read) {
    r.verdict = Verdict::kUnknown;
    r.explanation = "the set was never read (no ok read)";
    return r;
  }
  if (!final_read->value.is_array()) invariants::bad_value(*final_read, "a set read needs a list");
  std::set<Json> read(final_read->value.begin(), final_read->value.end());

  Json lost = Json::array(), unexpected = Json::array(), recovered = Json::array();
  int64_t ok_count = 0;
  for (const auto& [element, add] : acknowledged)
    if (!read.count(element)) lost.push_back({{"element", element}, {"add", evidence(*add)}});
  for (const Json& element : read) {
    if (!attempts.count(element)) {
      unexpected.push_back(element);
      continue;
    }
    ++ok_count;
    if (!acknowledged.count(element)) recovered.push_back(element);
  }
  r.verdict = lost.empty() && unexpected.empty() ? Verdict::kValid : Verdict::kInvalid;
  r.details.update({{"ok-count", ok_count},
                    {"lost-count", lost.size()},
                    {"recovered-count", recovered.size()},
                    {"unexpected-count", unexpected.size()},
                    {"lost", lost},
                    {"unexpected", unexpected},
                    {"recovered", recovered},
                    {"final-read", evidence(*final_read)}});
  if (!lost.empty()) {
    r.explanation = std::to_string(lost.size()) + " acknowledged element(s) missing from the final read at index " +
                    std::to_string(final_read->index) + "; first: " + lost[0]["element"].dump() +
                    " (added ok at index " + lost[0]["add"]["index"].dump() + ")";
  }
  if (!unexpected.empty()) {
    if (!r.explanation.empty()) r.explanation += "; ";
    r.explanation +=
        std::to_string(unexpected.size()) + " element(s) read that were never added; first: " + unexpected[0].dump();
  }
  return r;
}

class SetChecker : public Checker {
 public:
  std::string name() const override { return "set"; }
  CheckResult check(const HistoryView& input, const CheckOptions&) const override {
    const History& history = input.ops();
    return invariants::unknown_on_bad_value([&] { return judge(history); });
  }
};

}  // namespace

std::unique_ptr<Checker> set_checker() { return std::make_unique<SetChecker>(); }

}  // namespace faultline
