#include "checkers/invariants/set_full.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "checkers/invariants/common.h"

namespace faultline {
namespace {

using invariants::op_ref;

// What the reads told about one element. Pointers point into the history, so pointer order is
// history order; reads are remembered by their invocation.
struct Element {
  Json value;
  const Op* known = nullptr;         // first ok add or read completion showing it
  const Op* last_present = nullptr;  // latest-begun read that saw it
  const Op* last_absent = nullptr;   // latest-begun read that missed it
};

const Op* later(const Op* a, const Op* b) { return !a || a < b ? b : a; }

int64_t nanos_to_ms(int64_t ns) { return std::max<int64_t>(0, ns) / 1000000; }

Json element_evidence(const Element& e) {
  Json j = {{"element", e.value}};
  for (auto [key, op] : {std::pair{"known", e.known}, std::pair{"last-present", e.last_present},
                         std::pair{"last-absent", e.last_absent}})
    j[key] = op ? op_ref(*op) : Json(nullptr);
  return j;
}

CheckResult judge(const History& history, bool linearizable) {
  std::vector<int64_t> invocation = invariants::invocation_of(history);
  std::vector<Element> elements;
  std::unordered_map<Json, size_t> id_of;
  std::map<Json, int64_t> duplicated;    // element -> highest multiplicity in one read
  std::map<Json, const Op*> unexpected;  // element never added -> first read holding it
  // Per element: the last read (position) that held it, and how often that read held it.
  std::vector<int64_t> seen_in_read, copies_in_read;

  for (size_t i = 0; i < history.size(); ++i) {
    const Op& op = history[i];
    if (op.is_nemesis()) continue;
    if (op.f == "add") {
      if (op.is_invoke() && id_of.emplace(op.value, elements.size()).second) {
        elements.push_back({op.value});
        seen_in_read.push_back(-1);
        copies_in_read.push_back(0);
      }
      if (op.is_ok()) {
        auto it = id_of.find(op.value);
        if (it != id_of.end() && !elements[it->second].known) elements[it->second].known = &op;
      }
      continue;
    }
    if (op.f != "read" || !op.is_ok() || invocation[i] < 0) continue;
    if (!op.value.is_array()) invariants::bad_value(op, "a set read needs a list");
    const Op* begun = &history[invocation[i]];
    for (const Json& v : op.value) {
      auto it = id_of.find(v);
      if (it == id_of.end()) {
        unexpected.emplace(v, &op);
        continue;
      }
      size_t id = it->second;
      Element& e = elements[id];
      if (seen_in_read[id] == static_cast<int64_t>(i)) {
        duplicated[v] = std::max(duplicated[v], ++copies_in_read[id]);
        continue;
      }
      seen_in_read[id] = static_cast<int64_t>(i);
      copies_in_read[id] = 1;
      if (!e.known) e.known = &op;
      e.last_present = later(e.last_present, begun);
    }
    for (size_t id = 0; id < elements.size(); ++id)
      if (seen_in_read[id] != static_cast<int64_t>(i))
        elements[id].last_absent = later(elements[id].last_absent, begun);
  }

  Json lost = Json::array(), stale = Json::array(), never_read = Json::array();
  std::vector<std::pair<int64_t, Json>> stale_by_latency;
  std::vector<double> stable_latencies, lost_latencies;
  int64_t stable_count = 0;
  for (const Element& e : elements) {
    bool stable = e.last_present && (!e.last_absent || e.last_absent < e.last_present);
    bool is_lost =
        e.known && e.last_absent && (!e.last_present || e.last_present < e.last_absent) && e.known < e.last_absent;
    if (stable) {
      ++stable_count;
      int64_t stable_time = e.last_absent ? e.last_absent->time + 1 : 0;
      int64_t latency = nanos_to_ms(stable_time - e.known->time);
      stable_latencies.push_back(static_cast<double>(latency));
      if (latency > 0) {
        Json j = element_evidence(e);
        j["stable-latency-ms"] = latency;
        stale.push_back(e.value);
        stale_by_latency.emplace_back(latency, std::move(j));
      }
    } else if (is_lost) {
      int64_t lost_time = e.last_present ? e.last_present->time + 1 : 0;
      int64_t latency = nanos_to_ms(lost_time - e.known->time);
      lost_latencies.push_back(static_cast<double>(latency));
      Json j = element_evidence(e);
      j["lost-latency-ms"] = latency;
      lost.push_back(std::move(j));
    } else {
      never_read.push_back(e.value);
    }
  }
  std::stable_sort(stale_by_latency.begin(), stale_by_latency.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  Json worst_stale = Json::array();
  for (size_t k = 0; k < stale_by_latency.size() && k < 8; ++k) worst_stale.push_back(stale_by_latency[k].second);
  Json dups = Json::array();
  for (const auto& [v, n] : duplicated) dups.push_back({{"element", v}, {"max-count", n}});
  Json strangers = Json::array();
  for (const auto& [v, read] : unexpected) strangers.push_back({{"element", v}, {"read", op_ref(*read)}});

  CheckResult r;
  r.details = {{"attempt-count", elements.size()},
               {"stable-count", stable_count},
               {"lost-count", lost.size()},
               {"lost", lost},
               {"never-read-count", never_read.size()},
               {"never-read", never_read},
               {"stale-count", stale.size()},
               {"stale", stale},
               {"worst-stale", worst_stale},
               {"duplicated-count", dups.size()},
               {"duplicated", dups},
               {"unexpected-count", strangers.size()},
               {"unexpected", strangers},
               {"linearizable", linearizable},
               {"stable-latencies", invariants::quantiles(stable_latencies, invariants::standard_points())},
               {"lost-latencies", invariants::quantiles(lost_latencies, invariants::standard_points())}};
  std::vector<std::string> problems;
  if (!lost.empty())
    problems.push_back(std::to_string(lost.size()) + " element(s) lost; first: " + lost[0]["element"].dump() +
                       ", known at index " + lost[0]["known"]["index"].dump() +
                       ", missing from the read begun at index " + lost[0]["last-absent"]["index"].dump());
  if (!dups.empty())
    problems.push_back(std::to_string(dups.size()) +
                       " element(s) read more than once in one read; first: " + dups[0]["element"].dump());
  if (!strangers.empty())
    problems.push_back(std::to_string(strangers.size()) +
                       " element(s) read that were never added; first: " + strangers[0]["element"].dump() +
                       " in the read at index " + strangers[0]["read"]["index"].dump());
  if (linearizable && !stale.empty())
    problems.push_back(std::to_string(stale.size()) + " element(s) stale; worst: " + worst_stale[0]["element"].dump() +
                       ", visible only " + worst_stale[0]["stable-latency-ms"].dump() + " ms after it was known");
  if (!problems.empty()) {
    r.verdict = Verdict::kInvalid;
    for (const auto& p : problems) r.explanation += (r.explanation.empty() ? "" : "; ") + p;
  } else if (stable_count == 0) {
    r.verdict = Verdict::kUnknown;
    r.explanation = "no element was ever stably read, so nothing can be judged";
  } else {
    r.verdict = Verdict::kValid;
  }
  return r;
}

class SetFullChecker : public Checker {
 public:
  std::string name() const override { return "set-full"; }
  CheckResult check(const HistoryView& input, const CheckOptions& options) const override {
    const History& history = input.ops();
    bool linearizable = invariants::bool_option(options, "linearizable", false);
    return invariants::unknown_on_bad_value([&] { return judge(history, linearizable); });
  }
};

}  // namespace

std::unique_ptr<Checker> set_full_checker() { return std::make_unique<SetFullChecker>(); }

}  // namespace faultline
