#include "checkers/kafka/kafka.h"

#include <algorithm>
#include <map>
#include <set>

#include "checkers/invariants/common.h"

namespace faultline {
namespace {

using invariants::bad_value;
using invariants::evidence;

constexpr size_t kShown = 10;  // cases of each kind kept in the details

struct Send {
  Json msg;
  int64_t offset = 0;
  int64_t invoked = 0, completed = 0;  // history positions
  const Op* op = nullptr;
};

struct Poll {
  int64_t invoked = 0;
  int64_t from = 0;
  std::map<int64_t, Json> got;  // offset -> msg
  const Op* op = nullptr;
};

int64_t offset_of(const Op& op, const Json& v) {
  if (!v.is_number_integer()) bad_value(op, "an offset must be an integer");
  return v.get<int64_t>();
}

class Findings {
 public:
  void add(const std::string& kind, Json c) {
    ++counts_[kind];
    if (cases_[kind].size() < kShown) cases_[kind].push_back(std::move(c));
  }
  void write(CheckResult& r) const {
    for (const char* kind :
         {"lost", "skipped", "nonmonotonic", "backwards", "inconsistent", "unexpected", "regressed"}) {
      auto it = counts_.find(kind);
      r.details[std::string(kind) + "-count"] = it == counts_.end() ? 0 : it->second;
      r.details[kind] = cases_.count(kind) ? cases_.at(kind) : Json::array();
      if (it != counts_.end()) {
        if (!r.explanation.empty()) r.explanation += "; ";
        r.explanation += std::to_string(it->second) + " " + kind + ", first: " + cases_.at(kind)[0].dump();
      }
    }
  }
  bool empty() const { return counts_.empty(); }

 private:
  std::map<std::string, int64_t> counts_;
  std::map<std::string, Json> cases_;
};

CheckResult judge(const History& history) {
  std::vector<int64_t> inv = invariants::invocation_of(history);
  std::map<std::string, std::vector<Send>> sends;   // key -> acknowledged sends, in completion order
  std::map<std::string, std::set<Json>> attempted;  // key -> messages sent
  std::map<std::string, std::vector<Poll>> polls;   // key -> ok polls of it
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> commits;  // key -> (completed, offset)
  std::vector<size_t> listings;                                             // positions of ok list_committed_offsets
  Findings found;
  int64_t poll_count = 0;

  for (size_t i = 0; i < history.size(); ++i) {
    const Op& op = history[i];
    if (op.is_nemesis()) continue;
    if (op.f == "send" && op.is_invoke()) {
      if (!op.value.is_array() || op.value.size() < 2 || !op.value[0].is_string())
        bad_value(op, "a send needs [key, msg]");
      attempted[op.value[0].get<std::string>()].insert(op.value[1]);
    }
    if (!op.is_ok() || inv[i] < 0) continue;
    const Op& invoke = history[static_cast<size_t>(inv[i])];
    if (op.f == "send") {
      if (!op.value.is_array() || op.value.size() != 3 || !op.value[0].is_string())
        bad_value(op, "an ok send needs [key, msg, offset]");
      sends[op.value[0].get<std::string>()].push_back(
          {op.value[1], offset_of(op, op.value[2]), inv[i], static_cast<int64_t>(i), &op});
    } else if (op.f == "poll") {
      ++poll_count;
      if (!invoke.value.is_object() || !op.value.is_object())
        bad_value(op, "a poll needs {key: offset} and returns {key: [[offset, msg]...]}");
      for (const auto& [key, from] : invoke.value.items()) {
        Poll p{inv[i], offset_of(invoke, from), {}, &op};
        int64_t previous = INT64_MIN;
        for (const Json& entry : op.value.value(key, Json::array())) {
          if (!entry.is_array() || entry.size() != 2) bad_value(op, "a polled message is [offset, msg]");
          int64_t o = offset_of(op, entry[0]);
          if (o <= previous || o < p.from)
            found.add("nonmonotonic", {{"key", key},
                                       {"offset", o},
                                       {"after", previous == INT64_MIN ? Json() : Json(previous)},
                                       {"from", p.from},
                                       {"poll", evidence(op)}});
          previous = o;
          p.got.emplace(o, entry[1]);
        }
        polls[key].push_back(std::move(p));
      }
    } else if (op.f == "commit_offsets") {
      if (!invoke.value.is_object()) bad_value(invoke, "commit_offsets needs {key: offset}");
      for (const auto& [key, o] : invoke.value.items())
        commits[key].push_back({static_cast<int64_t>(i), offset_of(invoke, o)});
    } else if (op.f == "list_committed_offsets") {
      if (!op.value.is_object()) bad_value(op, "list_committed_offsets returns {key: offset}");
      listings.push_back(i);
    }
  }

  // Every (key, offset) holds one message, whether a send or a poll says so.
  for (const auto& [key, ss] : sends) {
    std::map<int64_t, const Send*> at;
    for (const Send& s : ss) {
      auto [it, fresh] = at.emplace(s.offset, &s);
      if (!fresh)
        found.add("inconsistent", {{"key", key},
                                   {"offset", s.offset},
                                   {"msgs", Json::array({it->second->msg, s.msg})},
                                   {"send", evidence(*s.op)}});
    }
    for (const Poll& p : polls[key])
      for (const auto& [o, m] : p.got) {
        auto it = at.find(o);
        if (it != at.end() && it->second->msg != m)
          found.add(
              "inconsistent",
              {{"key", key}, {"offset", o}, {"msgs", Json::array({it->second->msg, m})}, {"poll", evidence(*p.op)}});
      }
  }
  for (const auto& [key, ps] : polls)
    for (const Poll& p : ps)
      for (const auto& [o, m] : p.got)
        if (!attempted[key].count(m))
          found.add("unexpected", {{"key", key}, {"offset", o}, {"msg", m}, {"poll", evidence(*p.op)}});

  // Sends: offsets move forward, and acknowledged ones are neither skipped nor lost.
  for (const auto& [key, ss] : sends) {
    for (const Send& later : ss)
      for (const Send& earlier : ss)
        if (earlier.completed < later.invoked && later.offset <= earlier.offset) {
          found.add("backwards", {{"key", key},
                                  {"offset", later.offset},
                                  {"after", earlier.offset},
                                  {"send", evidence(*later.op)},
                                  {"earlier", evidence(*earlier.op)}});
          break;
        }
    for (const Send& s : ss) {
      bool seen = false, covered = false;
      const Poll* skipped_by = nullptr;
      for (const Poll& p : polls[key]) {
        if (p.got.count(s.offset) && p.got.at(s.offset) == s.msg) seen = true;
        if (p.invoked < s.completed || p.from > s.offset) continue;
        covered = true;
        bool around = !p.got.empty() && p.got.begin()->first < s.offset && p.got.rbegin()->first > s.offset;
        if (around && !p.got.count(s.offset) && !skipped_by) skipped_by = &p;
      }
      if (skipped_by)
        found.add("skipped", {{"key", key},
                              {"offset", s.offset},
                              {"msg", s.msg},
                              {"send", evidence(*s.op)},
                              {"poll", evidence(*skipped_by->op)}});
      if (covered && !seen)
        found.add("lost", {{"key", key}, {"offset", s.offset}, {"msg", s.msg}, {"send", evidence(*s.op)}});
    }
  }

  // Committed offsets never fall below an acknowledged commit.
  for (size_t at : listings) {
    const Op* listing = &history[at];
    int64_t invoked = inv[at];
    for (const auto& [key, cs] : commits) {
      int64_t floor = INT64_MIN;
      for (const auto& [completed, o] : cs)
        if (completed < invoked) floor = std::max(floor, o);
      const Json& asked = history[static_cast<size_t>(invoked)].value;  // the keys listed
      if (floor == INT64_MIN || !asked.is_array() || std::find(asked.begin(), asked.end(), Json(key)) == asked.end())
        continue;
      const Json got = listing->value.value(key, Json());
      if (got.is_null() || offset_of(*listing, got) < floor)
        found.add("regressed", {{"key", key}, {"offset", got}, {"committed", floor}, {"list", evidence(*listing)}});
    }
  }

  CheckResult r;
  int64_t acknowledged = 0;
  for (const auto& [key, ss] : sends) acknowledged += static_cast<int64_t>(ss.size());
  r.details = {{"acknowledged-count", acknowledged}, {"poll-count", poll_count}, {"key-count", sends.size()}};
  found.write(r);
  if (!found.empty()) {
    r.verdict = Verdict::kInvalid;
  } else if (poll_count == 0) {
    r.verdict = Verdict::kUnknown;
    r.explanation = "no poll succeeded, so nothing shows what the log holds";
  } else {
    r.verdict = Verdict::kValid;
  }
  return r;
}

class KafkaChecker : public Checker {
 public:
  std::string name() const override { return "kafka"; }
  CheckResult check(const HistoryView& input, const CheckOptions&) const override {
    const History& history = input.ops();
    return invariants::unknown_on_bad_value([&] { return judge(history); });
  }
};

}  // namespace

std::unique_ptr<Checker> kafka_checker() { return std::make_unique<KafkaChecker>(); }

}  // namespace faultline
