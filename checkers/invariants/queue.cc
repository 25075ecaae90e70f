#include "checkers/invariants/queue.h"

#include <map>

#include "checkers/invariants/common.h"

namespace faultline {
namespace {

using invariants::evidence;
using invariants::op_ref;

// Calls take(element, op) for every element an ok dequeue or drain took out, in history order.
template <typename Take>
void for_each_dequeued(const Op& op, Take take) {
  if (!op.is_ok()) return;
  if (op.f == "dequeue" && !op.value.is_null()) take(op.value);
  if (op.f != "drain") return;
  if (!op.value.is_array()) invariants::bad_value(op, "a drain needs the list of elements it took");
  for (const Json& element : op.value) take(element);
}

CheckResult judge_queue(const History& history) {
  std::vector<int64_t> partner = pair_index(history);
  std::map<Json, int64_t> in_queue, ever_enqueued;
  int64_t enqueues = 0, dequeues = 0;
  Json errors = Json::array();
  for (size_t i = 0; i < history.size(); ++i) {
    const Op& op = history[i];
    if (op.is_nemesis()) continue;
    if (op.f == "enqueue" && op.is_invoke() && !(partner[i] >= 0 && history[partner[i]].is_fail())) {
      ++in_queue[op.value];
      ++ever_enqueued[op.value];
      ++enqueues;
    }
    for_each_dequeued(op, [&](const Json& element) {
      ++dequeues;
      if (in_queue[element] > 0) {
        --in_queue[element];
        return;
      }
      errors.push_back({{"element", element},
                        {"kind", ever_enqueued[element] > 0 ? "already-dequeued" : "never-enqueued"},
                        {"op", op.f == "drain" ? op_ref(op) : evidence(op)}});
    });
  }
  int64_t remaining = 0;
  for (const auto& [element, n] : in_queue) remaining += n;
  CheckResult r;
  r.verdict = errors.empty() ? Verdict::kValid : Verdict::kInvalid;
  r.details = {{"enqueue-count", enqueues},
               {"dequeue-count", dequeues},
               {"remaining", remaining},
               {"error-count", errors.size()},
               {"errors", errors}};
  if (!errors.empty()) {
    const Json& first = errors.front();
    r.details["first-error"] = first;
    r.explanation = std::to_string(errors.size()) +
                    " dequeue(s) of elements not in the queue; first: " + first["element"].dump() + " at index " +
                    first["op"]["index"].dump() + " (" + first["kind"].get<std::string>() + ")";
  }
  return r;
}

struct Tally {
  int64_t attempts = 0;
  std::vector<const Op*> enqueued;  // ok enqueues
  std::vector<const Op*> dequeued;  // ok dequeues / drains that took it out
};

Json refs(const std::vector<const Op*>& ops) {
  Json j = Json::array();
  for (const Op* op : ops) j.push_back(op_ref(*op));
  return j;
}

// "3, 17, 42" from a list of op references.
std::string index_list(const Json& ops) {
  std::string s;
  for (const Json& op : ops) s += (s.empty() ? "" : ", ") + op["index"].dump();
  return s;
}

CheckResult judge_total(const History& history, bool allow_duplicates) {
  std::vector<int64_t> partner = pair_index(history);
  std::map<Json, Tally> tally;
  Json crashed_drains = Json::array();
  int64_t attempts = 0, acknowledged = 0, dequeued = 0;
  for (size_t i = 0; i < history.size(); ++i) {
    const Op& op = history[i];
    if (op.is_nemesis()) continue;
    if (op.f == "enqueue" && op.is_invoke()) {
      ++attempts;
      ++tally[op.value].attempts;
    }
    if (op.f == "enqueue" && op.is_ok()) {
      ++acknowledged;
      tally[op.value].enqueued.push_back(&op);
    }
    if (op.f == "drain" && (op.is_info() || (op.is_invoke() && partner[i] < 0))) crashed_drains.push_back(op_ref(op));
    for_each_dequeued(op, [&](const Json& element) {
      ++dequeued;
      tally[element].dequeued.push_back(&op);
    });
  }

  Json lost = Json::array(), unexpected = Json::array(), duplicated = Json::array(), recovered = Json::array();
  int64_t lost_count = 0, unexpected_count = 0, duplicated_count = 0, recovered_count = 0;
  for (const auto& [element, t] : tally) {
    auto out = static_cast<int64_t>(t.dequeued.size());
    auto in = static_cast<int64_t>(t.enqueued.size());
    if (in > out) {
      lost_count += in - out;
      lost.push_back({{"element", element}, {"count", in - out}, {"enqueues", refs(t.enqueued)}});
    }
    if (t.attempts == 0 && out > 0) {
      unexpected_count += out;
      unexpected.push_back({{"element", element}, {"count", out}, {"dequeues", refs(t.dequeued)}});
    }
    if (t.attempts > 0 && out > t.attempts) {
      duplicated_count += out - t.attempts;
      duplicated.push_back({{"element", element}, {"count", out - t.attempts}, {"dequeues", refs(t.dequeued)}});
    }
    if (int64_t extra = std::min(out, t.attempts) - in; extra > 0) {
      recovered_count += extra;
      recovered.push_back(element);
    }
  }

  CheckResult r;
  r.details = {{"attempt-count", attempts},
               {"acknowledged-count", acknowledged},
               {"dequeue-count", dequeued},
               {"lost-count", lost_count},
               {"lost", lost},
               {"unexpected-count", unexpected_count},
               {"unexpected", unexpected},
               {"duplicated-count", duplicated_count},
               {"duplicated", duplicated},
               {"recovered-count", recovered_count},
               {"recovered", recovered},
               {"allow-duplicates", allow_duplicates},
               {"crashed-drains", crashed_drains}};
  std::vector<std::string> problems;
  if (!unexpected.empty())
    problems.push_back(std::to_string(unexpected_count) + " dequeue(s) of elements never enqueued; first: " +
                       unexpected[0]["element"].dump() + " at index " + unexpected[0]["dequeues"][0]["index"].dump());
  if (!duplicated.empty() && !allow_duplicates)
    problems.push_back(std::to_string(duplicated_count) +
                       " extra dequeue(s) of elements; first: " + duplicated[0]["element"].dump() +
                       " dequeued at indices " + index_list(duplicated[0]["dequeues"]));
  std::string lost_text = lost.empty()
                              ? ""
                              : std::to_string(lost_count) +
                                    " enqueued element(s) never dequeued; first: " + lost[0]["element"].dump() +
                                    ", enqueued ok at index " + lost[0]["enqueues"][0]["index"].dump();
  bool lost_is_certain = crashed_drains.empty();
  if (!lost.empty() && lost_is_certain) problems.push_back(lost_text);
  if (!problems.empty()) {
    r.verdict = Verdict::kInvalid;
    for (const auto& p : problems) r.explanation += (r.explanation.empty() ? "" : "; ") + p;
  } else if (!lost.empty()) {
    r.verdict = Verdict::kUnknown;
    r.explanation = lost_text + "; but a drain crashed (index " + crashed_drains[0]["index"].dump() +
                    "), so they may have been drained";
  } else {
    r.verdict = Verdict::kValid;
  }
  return r;
}

class QueueChecker : public Checker {
 public:
  std::string name() const override { return "queue"; }
  CheckResult check(const HistoryView& input, const CheckOptions&) const override {
    const History& history = input.ops();
    return invariants::unknown_on_bad_value([&] { return judge_queue(history); });
  }
};

class TotalQueueChecker : public Checker {
 public:
  std::string name() const override { return "total-queue"; }
  CheckResult check(const HistoryView& input, const CheckOptions& options) const override {
    const History& history = input.ops();
    bool allow_duplicates = invariants::bool_option(options, "allow-duplicates", false);
    return invariants::unknown_on_bad_value([&] { return judge_total(history, allow_duplicates); });
  }
};

}  // namespace

std::unique_ptr<Checker> queue_checker() { return std::make_unique<QueueChecker>(); }
std::unique_ptr<Checker> total_queue_checker() { return std::make_unique<TotalQueueChecker>(); }

}  // namespace faultline
