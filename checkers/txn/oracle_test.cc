// An oracle for the transactional checker that shares none of its code: on small random histories it
// enumerates serial orders of the committed txns (depth first, pruning at the first read a serial
// run cannot reproduce) and says whether one explains every read — any order for serializable, one
// that respects real time for strict-serializable. The checker must agree.
//
// Some txns end :info (applied or not at random; the oracle may leave them out of the order) and
// their workers go on as new processes, as Jepsen's do.
//
// List-append histories end with a txn that reads every key after all others completed, so every
// committed append is observed and the version order of each key is known; then the dependency
// graph is exact and the checker must agree in both directions. For rw-register the version order
// of unread writes is not observable, so the checker may only be sound: invalid implies no order.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "checkers/txn/txn.h"
#include "harness/core/random.h"

namespace faultline::txn {
namespace {

struct Mop {
  bool read;
  int key;
  int64_t value;               // append / write
  std::vector<int64_t> list;   // list-append read result
  std::optional<int64_t> reg;  // rw-register read result (nullopt: nil)
};

struct Txn {
  int process;
  std::vector<Mop> mops;
  size_t invoke_event = 0, complete_event = 0;  // positions in the event sequence
  bool committed = true;                        // false: completed :fail, or :info and not applied
  bool info = false;                            // completed :info: the client never learnt the outcome
};

struct Scenario {
  bool lists;
  std::vector<Txn> txns;
  // Events in history order: (txn, is completion).
  std::vector<std::pair<size_t, bool>> events;
  bool planted = false;  // a read was replaced (the history may or may not stay serializable)
};

constexpr int kKeys = 2;

// A random history from an atomic store that applies each txn at its completion (so it is strict
// serializable), with some txns failing; then, sometimes, one read result replaced by another
// plausible one, which may or may not leave some serial order that explains the history.
Scenario generate(Rng& rng, bool lists) {
  Scenario s{lists, {}, {}};
  const int processes = 2 + int(rng.below(2));
  const size_t count = 3 + rng.below(4);
  std::vector<std::vector<int64_t>> state(kKeys);
  std::vector<std::optional<size_t>> running(static_cast<size_t>(processes));
  // The process id each worker runs under: after an :info a worker goes on as a new process, as
  // Jepsen's clients do.
  std::vector<int> process_of(static_cast<size_t>(processes));
  for (int p = 0; p < processes; ++p) process_of[size_t(p)] = p;
  int next_process = processes;
  int64_t next_value = 1;
  size_t started = 0, done = 0;
  while (done < count) {
    size_t p = rng.below(size_t(processes));
    if (!running[p]) {
      if (started == count) continue;
      Txn t{process_of[p], {}};
      size_t n = 1 + rng.below(3);
      for (size_t i = 0; i < n; ++i) t.mops.push_back(Mop{rng.chance(0.5), int(rng.below(kKeys)), 0, {}, std::nullopt});
      for (Mop& m : t.mops)
        if (!m.read) m.value = next_value++;
      t.invoke_event = s.events.size();
      s.events.push_back({s.txns.size(), false});
      running[p] = s.txns.size();
      s.txns.push_back(t);
      ++started;
      continue;
    }
    Txn& t = s.txns[*running[p]];
    t.committed = !rng.chance(0.15);
    // Some txns time out: applied or not, the client cannot tell.
    if (rng.chance(0.1)) {
      t.info = true;
      t.committed = rng.chance(0.5);
      process_of[p] = next_process++;
    }
    std::vector<std::vector<int64_t>> after = state;
    for (Mop& m : t.mops) {
      auto& k = after[size_t(m.key)];
      if (m.read) {
        m.list = k;
        if (!k.empty()) m.reg = k.back();
      } else {
        k.push_back(m.value);
      }
    }
    if (t.committed) state = after;
    t.complete_event = s.events.size();
    s.events.push_back({*running[p], true});
    running[p].reset();
    ++done;
  }
  // Sometimes one read of a committed txn returns something else the store might have returned.
  std::vector<Mop*> reads;
  for (Txn& t : s.txns)
    for (Mop& m : t.mops)
      if (m.read && t.committed && !t.info) reads.push_back(&m);
  if (!reads.empty() && rng.chance(0.7)) {
    Mop& m = *reads[rng.below(reads.size())];
    s.planted = true;
    const std::vector<int64_t>& final_list = state[size_t(m.key)];
    std::vector<int64_t> written;  // every value any txn wrote to the key, failed ones included
    for (const Txn& t : s.txns)
      for (const Mop& w : t.mops)
        if (!w.read && w.key == m.key) written.push_back(w.value);
    if (lists) {
      switch (rng.below(3)) {
        case 0:  // another prefix of the key's final list: stale or from the future
          m.list.assign(final_list.begin(), final_list.begin() + long(rng.below(final_list.size() + 1)));
          break;
        case 1:  // one element missing
          if (!m.list.empty()) m.list.erase(m.list.begin() + long(rng.below(m.list.size())));
          break;
        default:  // one more element written to the key, possibly by a failed txn
          if (!written.empty()) m.list.push_back(written[rng.below(written.size())]);
      }
    } else {
      size_t pick = rng.below(written.size() + 1);
      m.reg = pick == written.size() ? std::nullopt : std::optional<int64_t>(written[pick]);
    }
  }
  // The final read of every key, after everything else.
  if (lists) {
    Txn t{next_process, {}};
    for (int k = 0; k < kKeys; ++k) t.mops.push_back(Mop{true, k, 0, state[size_t(k)], std::nullopt});
    t.invoke_event = s.events.size();
    s.events.push_back({s.txns.size(), false});
    t.complete_event = s.events.size();
    s.events.push_back({s.txns.size(), true});
    s.txns.push_back(t);
  }
  return s;
}

// Does some serial order of the committed txns reproduce every read? Txns that completed :info may
// each be in it or not, as the client cannot tell. With `realtime`, a txn that completed before
// another was invoked must come first; an :info txn never completed, so it constrains nothing.
class Oracle {
 public:
  Oracle(const Scenario& s, bool realtime) : s_(s), realtime_(realtime) {
    for (size_t i = 0; i < s.txns.size(); ++i)
      if (s.txns[i].committed || s.txns[i].info) pending_.push_back(i);
  }
  bool serializable() {
    std::vector<std::vector<int64_t>> state(kKeys);
    return extend(state);
  }

 private:
  bool extend(const std::vector<std::vector<int64_t>>& state) {
    // Done when only :info txns are left: they need not have happened.
    if (std::all_of(pending_.begin(), pending_.end(), [&](size_t t) { return s_.txns[t].info; })) return true;
    for (size_t i = 0; i < pending_.size(); ++i) {
      size_t t = pending_[i];
      if (realtime_ && !may_go_next(t)) continue;
      std::vector<std::vector<int64_t>> next = state;
      if (!run(s_.txns[t], next)) continue;
      pending_.erase(pending_.begin() + long(i));
      bool found = extend(next);
      pending_.insert(pending_.begin() + long(i), t);
      if (found) return true;
    }
    return false;
  }
  // No pending txn completed before t was invoked.
  bool may_go_next(size_t t) const {
    for (size_t u : pending_)
      if (u != t && !s_.txns[u].info && s_.txns[u].complete_event < s_.txns[t].invoke_event) return false;
    return true;
  }
  bool run(const Txn& t, std::vector<std::vector<int64_t>>& state) const {
    for (const Mop& m : t.mops) {
      auto& k = state[size_t(m.key)];
      if (!m.read) {
        k.push_back(m.value);
      } else if (t.info) {
        continue;  // its reads were never seen
      } else if (s_.lists ? m.list != k : m.reg != (k.empty() ? std::nullopt : std::optional<int64_t>(k.back()))) {
        return false;
      }
    }
    return true;
  }

  const Scenario& s_;
  bool realtime_;
  std::vector<size_t> pending_;
};

Json mop_json(const Mop& m, bool lists, bool completed) {
  if (!m.read) return Json::array({lists ? "append" : "w", m.key, m.value});
  Json result = nullptr;
  if (completed) result = lists ? Json(m.list) : m.reg ? Json(*m.reg) : Json();
  return Json::array({"r", m.key, result});
}

History to_history(const Scenario& s) {
  History h;
  for (auto [t, completion] : s.events) {
    const Txn& txn = s.txns[t];
    Op op;
    op.process = txn.process;
    op.f = "txn";
    op.type = !completion ? OpType::kInvoke : txn.info ? OpType::kInfo : txn.committed ? OpType::kOk : OpType::kFail;
    op.value = Json::array();
    for (const Mop& m : txn.mops) op.value.push_back(mop_json(m, s.lists, completion && txn.committed && !txn.info));
    h.push_back(std::move(op));
  }
  reindex(h);
  return h;
}

Verdict checker_verdict(const History& h, DataModel model, const char* consistency) {
  CheckOptions o;
  o.options = {{"consistency-models", {consistency}}};
  return check(h, o, model).verdict;
}

struct Tally {
  int agree_valid = 0, agree_invalid = 0;
  int planted_invalid = 0;  // oracle: a planted read left no serial order
  int unplanted_valid = 0;  // histories straight from the store, which must pass
  int with_info = 0;        // histories with an :info txn
};

void compare(DataModel model, int histories, uint64_t seed, bool exact, Tally& serial, Tally& strict) {
  Rng rng(seed);
  bool lists = model == DataModel::kListAppend;
  for (int i = 0; i < histories; ++i) {
    Scenario s = generate(rng, lists);
    History h = to_history(s);
    for (bool realtime : {false, true}) {
      const char* consistency = realtime ? "strict-serializable" : "serializable";
      bool oracle_valid = Oracle(s, realtime).serializable();
      Verdict v = checker_verdict(h, model, consistency);
      std::string shown;
      for (const Op& op : h) shown += describe(op) + "\n";
      ASSERT_NE(v, Verdict::kUnknown) << consistency << "\n" << shown;
      if (v == Verdict::kInvalid) {
        ASSERT_FALSE(oracle_valid) << "the checker rejects a history a serial order explains (" << consistency << ")\n"
                                   << shown;
      }
      if (exact) {
        ASSERT_EQ(v == Verdict::kValid, oracle_valid)
            << "the checker accepts a history no serial order explains (" << consistency << ")\n"
            << shown;
      }
      Tally& t = realtime ? strict : serial;
      if (v == Verdict::kValid && oracle_valid) ++t.agree_valid;
      if (v == Verdict::kInvalid) ++t.agree_invalid;
      if (s.planted && !oracle_valid) ++t.planted_invalid;
      if (!s.planted) {
        // A history the store produced as it is: strict serializable by construction.
        ASSERT_TRUE(oracle_valid) << shown;
        ++t.unplanted_valid;
      }
      t.with_info += std::any_of(s.txns.begin(), s.txns.end(), [](const Txn& x) { return x.info; });
    }
  }
}

TEST(TxnOracle, ListAppendAgreesWithSerialOrderEnumeration) {
  Tally serial, strict;
  compare(DataModel::kListAppend, 3000, 15, /*exact=*/true, serial, strict);
  // Both verdicts must be common, or the comparison proves little.
  EXPECT_GT(serial.agree_valid, 600);
  EXPECT_GT(serial.agree_invalid, 300);
  EXPECT_GT(strict.agree_invalid, serial.agree_invalid);  // real time rules out more
  EXPECT_GT(serial.planted_invalid, 300);
  EXPECT_GT(strict.unplanted_valid, 300);
  EXPECT_GT(strict.with_info, 300);
}

TEST(TxnOracle, RwRegisterIsSoundAgainstSerialOrderEnumeration) {
  Tally serial, strict;
  compare(DataModel::kRwRegister, 3000, 16, /*exact=*/false, serial, strict);
  EXPECT_GT(serial.agree_valid, 600);
  EXPECT_GT(serial.agree_invalid, 200);
  EXPECT_GT(strict.agree_invalid, serial.agree_invalid);
  EXPECT_GT(serial.planted_invalid, 200);
  EXPECT_GT(strict.unplanted_valid, 300);
  EXPECT_GT(strict.with_info, 300);
}

}  // namespace
}  // namespace faultline::txn
