#include "checkers/invariants/broadcast.h"

#include <map>
#include <set>

#include "checkers/invariants/common.h"

namespace faultline {
namespace {

using invariants::evidence;

class EchoChecker : public Checker {
 public:
  std::string name() const override { return "echo"; }
  CheckResult check(const HistoryView& input, const CheckOptions&) const override {
    const History& history = input.ops();
    auto inv = invariants::invocation_of(history);
    CheckResult r;
    int64_t ok = 0;
    Json wrong = Json::array();
    for (size_t i = 0; i < history.size(); ++i) {
      const Op& op = history[i];
      if (op.is_nemesis() || op.f != "echo" || !op.is_ok()) continue;
      ++ok;
      if (inv[i] < 0) continue;
      const Op& sent = history[static_cast<size_t>(inv[i])];
      if (sent.value != op.value && wrong.size() < 20) wrong.push_back({{"sent", sent.value}, {"op", evidence(op)}});
    }
    r.details = {{"ok-count", ok}, {"wrong", wrong}};
    r.verdict = !wrong.empty() ? Verdict::kInvalid : ok > 0 ? Verdict::kValid : Verdict::kUnknown;
    if (!wrong.empty())
      r.explanation = std::to_string(wrong.size()) + " echo(es) came back changed, first at index " +
                      wrong[0]["op"]["index"].dump();
    if (ok == 0) r.explanation = "no echo was answered";
    return r;
  }
};

class BroadcastChecker : public Checker {
 public:
  std::string name() const override { return "broadcast"; }
  CheckResult check(const HistoryView& input, const CheckOptions&) const override {
    const History& history = input.ops();
    return invariants::unknown_on_bad_value([&] { return judge(history); });
  }

 private:
  static CheckResult judge(const History& history) {
    auto inv = invariants::invocation_of(history);
    std::map<Json, int64_t> acked;  // message -> invocation time
    std::set<Json> attempted;
    std::map<std::string, std::vector<const Op*>> reads;  // node -> ok reads in order
    for (size_t i = 0; i < history.size(); ++i) {
      const Op& op = history[i];
      if (op.is_nemesis()) continue;
      if (op.f == "broadcast" && op.is_invoke()) attempted.insert(op.value);
      if (op.f == "broadcast" && op.is_ok() && inv[i] >= 0) acked[op.value] = history[static_cast<size_t>(inv[i])].time;
      if (op.f == "read" && op.is_ok()) {
        if (!op.value.is_array()) invariants::bad_value(op, "a broadcast read needs a list of messages");
        reads[op.node].push_back(&op);
      }
    }
    CheckResult r;
    Json lost = Json::object(), unexpected = Json::array();
    size_t lost_count = 0;
    std::map<Json, int64_t> stable_at;  // message -> when the last node started seeing it for good
    for (const auto& [node, ops] : reads) {
      std::set<Json> last(ops.back()->value.begin(), ops.back()->value.end());
      Json missing = Json::array();
      for (const auto& [m, t] : acked)
        if (!last.count(m)) missing.push_back(m);
      lost_count += missing.size();
      if (!missing.empty())
        lost[node] = {
            {"count", missing.size()}, {"messages", missing}, {"final-read", invariants::op_ref(*ops.back())}};
      for (const Json& m : last)
        if (!attempted.count(m) && unexpected.size() < 20)
          unexpected.push_back({{"message", m}, {"read", invariants::op_ref(*ops.back())}});
      // Walk the reads backwards: a message is stable on this node from the first read of the
      // final run of reads that all contain it.
      std::map<Json, int64_t> since;
      std::set<Json> broken;
      for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
        std::set<Json> seen((*it)->value.begin(), (*it)->value.end());
        for (const auto& [m, t] : acked) {
          if (broken.count(m)) continue;
          if (seen.count(m))
            since[m] = (*it)->time;
          else
            broken.insert(m);
        }
      }
      for (const auto& [m, t] : since) stable_at[m] = std::max(stable_at[m], t);
    }
    std::vector<double> latencies;
    for (const auto& [m, t] : stable_at)
      if (acked.count(m)) latencies.push_back(std::max<double>(0, static_cast<double>(t - acked[m]) / 1e6));
    r.details = {{"attempted-count", attempted.size()},
                 {"acknowledged-count", acked.size()},
                 {"nodes-read", reads.size()},
                 {"lost-count", lost_count},
                 {"lost", lost},
                 {"unexpected", unexpected},
                 {"stable-latencies-ms", invariants::quantiles(latencies, invariants::standard_points())}};
    if (reads.empty() || acked.empty()) {
      r.verdict = Verdict::kUnknown;
      r.explanation = reads.empty() ? "no node was ever read" : "no broadcast was acknowledged";
    } else if (lost_count > 0 || !unexpected.empty()) {
      r.verdict = Verdict::kInvalid;
      std::string first = lost.empty() ? "" : lost.begin().key();
      r.explanation = lost_count > 0 ? std::to_string(lost_count) +
                                           " acknowledged message(s) missing from final reads; "
                                           "first on " +
                                           first + ": " + lost[first]["messages"][0].dump()
                                     : std::to_string(unexpected.size()) + " message(s) read that nobody broadcast";
    } else {
      r.verdict = Verdict::kValid;
    }
    return r;
  }
};

class EventualCounterChecker : public Checker {
 public:
  std::string name() const override { return "eventual-counter"; }
  CheckResult check(const HistoryView& input, const CheckOptions&) const override {
    const History& history = input.ops();
    return invariants::unknown_on_bad_value([&] {
      auto inv = invariants::invocation_of(history);
      int64_t sure = 0, up = 0, down = 0;
      std::map<std::string, const Op*> last;
      for (size_t i = 0; i < history.size(); ++i) {
        const Op& op = history[i];
        if (op.is_nemesis() || op.is_invoke()) continue;
        if (op.f == "read" && op.is_ok()) {
          if (!op.value.is_number_integer()) invariants::bad_value(op, "a counter read needs an integer");
          last[op.node] = &op;
        }
        if (op.f != "add" || inv[i] < 0 || op.is_fail()) continue;
        int64_t d = history[static_cast<size_t>(inv[i])].value.get<int64_t>();
        if (op.is_ok())
          sure += d;
        else
          (d > 0 ? up : down) += d;
      }
      CheckResult r;
      Json bad = Json::array();
      for (const auto& [node, op] : last) {
        int64_t v = op->value.get<int64_t>();
        if (v < sure + down || v > sure + up) bad.push_back({{"node", node}, {"read", evidence(*op)}});
      }
      r.details = {{"acknowledged-sum", sure},
                   {"possible-range", Json::array({sure + down, sure + up})},
                   {"nodes-read", last.size()},
                   {"wrong", bad}};
      r.verdict = last.empty() ? Verdict::kUnknown : bad.empty() ? Verdict::kValid : Verdict::kInvalid;
      if (last.empty()) r.explanation = "the counter was never read";
      if (!bad.empty())
        r.explanation = "final read on " + bad[0]["node"].get<std::string>() + " is " + bad[0]["read"]["value"].dump() +
                        ", outside [" + std::to_string(sure + down) + ", " + std::to_string(sure + up) + "]";
      return r;
    });
  }
};

}  // namespace

std::unique_ptr<Checker> echo_checker() { return std::make_unique<EchoChecker>(); }
std::unique_ptr<Checker> broadcast_checker() { return std::make_unique<BroadcastChecker>(); }
std::unique_ptr<Checker> eventual_counter_checker() { return std::make_unique<EventualCounterChecker>(); }

}  // namespace faultline
