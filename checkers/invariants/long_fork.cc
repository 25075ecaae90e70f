#include "checkers/invariants/long_fork.h"

#include <algorithm>
#include <map>
#include <set>

#include "checkers/invariants/common.h"
#include "harness/core/error.h"

namespace faultline {
namespace {

using invariants::bad_value;
using invariants::evidence;

bool is_micro_op(const Json& mop, const char* f) { return mop.is_array() && mop.size() == 3 && mop[0] == f; }

bool is_read_txn(const Json& txn) {
  return txn.is_array() && !txn.empty() &&
         std::all_of(txn.begin(), txn.end(), [](const Json& m) { return is_micro_op(m, "r"); });
}

bool is_write_txn(const Json& txn) { return txn.is_array() && txn.size() == 1 && is_micro_op(txn[0], "w"); }

// A read of one group: key -> value seen (null = not yet written), and the op.
struct Read {
  std::map<Json, Json> seen;
  const Op* op;
};

// A key `a` saw written and `b` did not, or null when there is none.
Json written_only_in(const Read& a, const Read& b) {
  for (const auto& [key, value] : a.seen)
    if (!value.is_null() && b.seen.at(key).is_null()) return key;
  return nullptr;
}

// Checks that two reads of the same keys agree on every value both saw.
void require_same_values(const Read& a, const Read& b) {
  for (const auto& [key, value] : a.seen) {
    const Json& other = b.seen.at(key);
    if (!value.is_null() && !other.is_null() && value != other)
      bad_value(*b.op, "key " + key.dump() + " read as " + other.dump() + " here but as " + value.dump() +
                           " at index " + std::to_string(a.op->index) + "; long-fork needs every key written once");
  }
}

CheckResult judge(const History& history, int64_t group_size) {
  std::map<Json, const Op*> writer;                    // key -> the write txn invocation
  std::map<std::set<Json>, std::vector<Read>> groups;  // distinct reads per key group
  int64_t reads = 0, early = 0, late = 0;
  for (const Op& op : history) {
    if (op.is_nemesis()) continue;
    if (op.is_invoke() && is_write_txn(op.value)) {
      const Json& key = op.value[0][1];
      if (auto [it, fresh] = writer.emplace(key, &op); !fresh)
        bad_value(op, "key " + key.dump() + " was already written at index " + std::to_string(it->second->index) +
                          "; long-fork needs every key written once");
    }
    if (!op.is_ok() || !is_read_txn(op.value)) continue;
    ++reads;
    Read read{{}, &op};
    std::set<Json> keys;
    for (const Json& mop : op.value) {
      read.seen[mop[1]] = mop[2];
      keys.insert(mop[1]);
    }
    if (static_cast<int64_t>(keys.size()) != group_size)
      bad_value(op, "this read covers " + std::to_string(keys.size()) + " keys, but the group size is " +
                        std::to_string(group_size) + "; set option group-size to the workload's");
    auto written = [](const auto& entry) { return !entry.second.is_null(); };
    early += std::none_of(read.seen.begin(), read.seen.end(), written);
    late += std::all_of(read.seen.begin(), read.seen.end(), written);
    auto& group = groups[keys];
    bool known = std::any_of(group.begin(), group.end(), [&](const Read& r) { return r.seen == read.seen; });
    if (!known) group.push_back(std::move(read));
  }

  Json forks = Json::array();
  for (const auto& [keys, group] : groups) {
    for (size_t i = 0; i < group.size(); ++i) {
      for (size_t j = i + 1; j < group.size(); ++j) {
        require_same_values(group[i], group[j]);
        Json only_i = written_only_in(group[i], group[j]);
        Json only_j = written_only_in(group[j], group[i]);
        if (only_i.is_null() || only_j.is_null()) continue;
        forks.push_back({{"a", evidence(*group[i].op)},
                         {"a-saw-only", only_i},
                         {"b", evidence(*group[j].op)},
                         {"b-saw-only", only_j}});
      }
    }
  }
  // Earliest fork first: the one completed soonest, so a person finds it first in the history.
  auto completed = [](const Json& f) { return std::max(f["a"]["index"], f["b"]["index"]); };
  std::stable_sort(forks.begin(), forks.end(),
                   [&](const Json& x, const Json& y) { return completed(x) < completed(y); });

  CheckResult r;
  r.verdict = forks.empty() ? Verdict::kValid : Verdict::kInvalid;
  r.details = {{"reads-count", reads},     {"early-read-count", early},  {"late-read-count", late},
               {"group-size", group_size}, {"fork-count", forks.size()}, {"forks", forks}};
  if (!forks.empty()) {
    const Json& f = forks.front();
    r.details["first-fork"] = f;
    r.explanation = std::to_string(forks.size()) + " long fork(s); first: the read at index " + f["a"]["index"].dump() +
                    " saw key " + f["a-saw-only"].dump() + " written but not key " + f["b-saw-only"].dump() +
                    ", the read at index " + f["b"]["index"].dump() + " the opposite";
  }
  return r;
}

class LongForkChecker : public Checker {
 public:
  std::string name() const override { return "long-fork"; }
  CheckResult check(const HistoryView& input, const CheckOptions& options) const override {
    const History& history = input.ops();
    int64_t group_size = invariants::int_option(options, "group-size", 2);
    if (group_size < 1)
      fail(ErrorCode::kBadInput, "checker option \"group-size\" must be at least 1, got " + std::to_string(group_size));
    return invariants::unknown_on_bad_value([&] { return judge(history, group_size); });
  }
};

}  // namespace

std::unique_ptr<Checker> long_fork_checker() { return std::make_unique<LongForkChecker>(); }

}  // namespace faultline
