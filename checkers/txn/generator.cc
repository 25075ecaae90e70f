#include "checkers/txn/generator.h"

#include <algorithm>
#include <map>

#include "harness/core/error.h"

namespace faultline::txn {
namespace {

Op make_op(OpType type, int64_t process, Json value) {
  Op op;
  op.type = type;
  op.process = process;
  op.f = "txn";
  op.value = std::move(value);
  return op;
}

// Read results are unknown at invocation: Jepsen writes them as nil.
Json as_invocation(const Json& txn) {
  Json out = txn;
  for (Json& mop : out)
    if (mop[0] == "r") mop[2] = nullptr;
  return out;
}

}  // namespace

History generate_valid(const HistoryShape& shape, Rng& rng) {
  bool lists = shape.model == DataModel::kListAppend;
  std::vector<int64_t> keys(shape.active_keys);
  int64_t next_key = 0;
  for (auto& k : keys) k = next_key++;
  std::map<int64_t, std::vector<int64_t>> state;  // key -> list (or register history)
  std::map<int64_t, size_t> writes;
  int64_t next_value = 1;

  History history;
  history.reserve(shape.txns * 2);
  std::vector<Json> pending(shape.processes);  // the planned txn of each busy process
  std::vector<bool> busy(shape.processes, false);
  size_t started = 0, done = 0;
  while (done < shape.txns) {
    size_t p = rng.below(shape.processes);
    if (!busy[p]) {
      if (started == shape.txns) continue;
      Json txn = Json::array();
      size_t n = shape.min_mops + rng.below(shape.max_mops - shape.min_mops + 1);
      for (size_t i = 0; i < n; ++i) {
        int64_t k = keys[rng.below(keys.size())];
        if (rng.chance(0.5))
          txn.push_back({"r", k, nullptr});
        else
          txn.push_back({lists ? "append" : "w", k, next_value++});
      }
      pending[p] = txn;
      busy[p] = true;
      ++started;
      history.push_back(make_op(OpType::kInvoke, int64_t(p), txn));
      continue;
    }
    // The txn takes effect now, atomically, and completes.
    Json txn = pending[p];
    for (Json& mop : txn) {
      int64_t k = mop[1].get<int64_t>();
      auto& s = state[k];
      if (mop[0] == "r") {
        size_t seen = s.size() - (!s.empty() && rng.chance(shape.stale_read_rate));
        if (lists)
          mop[2] = std::vector<int64_t>(s.begin(), s.begin() + seen);
        else
          mop[2] = seen == 0 ? Json() : Json(s[seen - 1]);
        continue;
      }
      s.push_back(mop[2].get<int64_t>());
      if (++writes[k] == shape.max_writes_per_key) {
        // Retire the key; reads planned on it still see its final state.
        std::replace(keys.begin(), keys.end(), k, next_key++);
      }
    }
    busy[p] = false;
    ++done;
    history.push_back(make_op(OpType::kOk, int64_t(p), txn));
  }
  for (size_t i = 0; i < history.size(); ++i) {
    history[i].time = int64_t(i) * 1000;
    if (history[i].is_invoke()) history[i].value = as_invocation(history[i].value);
  }
  reindex(history);
  return history;
}

namespace {

// One txn of a scenario: its completed value, its process, and how it ended.
struct Planned {
  int64_t process;
  Json value;
  OpType end = OpType::kOk;
};

Json r(const char* k, Json v) { return {"r", k, std::move(v)}; }

std::vector<Planned> list_append_scenario(const std::string& a) {
  auto ap = [](const char* k, int v) { return Json{"append", k, v}; };
  using J = Json;
  if (a == "G0")
    return {{0, {ap("x", 1), ap("y", 1)}}, {1, {ap("x", 2), ap("y", 2)}}, {2, {r("x", {1, 2}), r("y", {2, 1})}}};
  if (a == "G1a") return {{0, {ap("x", 1)}, OpType::kFail}, {1, {r("x", {1})}}};
  if (a == "G1b") return {{0, {ap("x", 1), ap("x", 2)}}, {1, {r("x", {1})}}};
  if (a == "G1c") return {{0, {ap("x", 1), r("y", {1})}}, {1, {ap("y", 1), r("x", {1})}}};
  if (a == "G-single-item") return {{0, {ap("x", 1), ap("y", 1)}}, {1, {r("x", {1}), r("y", J::array())}}};
  if (a == "G-single-item-realtime") return {{0, {ap("x", 1)}}, {1, {r("x", J::array())}}};
  if (a == "G2-item") return {{0, {r("x", J::array()), ap("y", 1)}}, {1, {r("y", J::array()), ap("x", 1)}}};
  if (a == "lost-update") return {{0, {r("x", J::array()), ap("x", 1)}}, {1, {r("x", J::array()), ap("x", 2)}}};
  if (a == "internal") return {{0, {r("x", J::array()), ap("x", 1), r("x", J::array())}}};
  if (a == "future-read") return {{0, {r("x", {1}), ap("x", 1)}}};
  if (a == "garbage-read") return {{0, {r("x", {77})}}};
  if (a == "duplicate-elements") return {{0, {ap("x", 1)}}, {1, {r("x", {1, 1})}}};
  if (a == "incompatible-order")
    return {{0, {ap("x", 1)}}, {1, {ap("x", 2)}}, {2, {r("x", {1, 2})}}, {3, {r("x", {2, 1})}}};
  if (a == "dirty-update") return {{0, {ap("x", 1)}, OpType::kFail}, {1, {ap("x", 2)}}, {2, {r("x", {1, 2})}}};
  return {};
}

std::vector<Planned> rw_register_scenario(const std::string& a) {
  auto w = [](const char* k, int v) { return Json{"w", k, v}; };
  if (a == "G1a") return {{0, {w("x", 1)}, OpType::kFail}, {1, {r("x", 1)}}};
  if (a == "G1b") return {{0, {w("x", 1), w("x", 2)}}, {1, {r("x", 1)}}};
  if (a == "G1c") return {{0, {w("x", 1), r("y", 1)}}, {1, {w("y", 1), r("x", 1)}}};
  if (a == "G-single-item") return {{0, {w("x", 1), w("y", 1)}}, {1, {r("x", 1), r("y", nullptr)}}};
  if (a == "G-single-item-realtime") return {{0, {w("x", 1)}}, {1, {r("x", nullptr)}}};
  if (a == "G2-item") return {{0, {r("x", nullptr), w("y", 1)}}, {1, {r("y", nullptr), w("x", 1)}}};
  if (a == "lost-update") return {{0, {r("x", nullptr), w("x", 1)}}, {1, {r("x", nullptr), w("x", 2)}}};
  if (a == "internal") return {{0, {w("x", 1), r("x", nullptr)}}};
  if (a == "future-read") return {{0, {r("x", 1), w("x", 1)}}};
  if (a == "garbage-read") return {{0, {r("x", 77)}}};
  if (a == "cyclic-versions") return {{0, {r("x", 1), w("x", 2)}}, {1, {r("x", 2), w("x", 1)}}};
  return {};
}

}  // namespace

std::vector<std::string> injectable(DataModel model) {
  if (model == DataModel::kListAppend)
    return {"G0",
            "G1a",
            "G1b",
            "G1c",
            "G-single-item",
            "G-single-item-realtime",
            "G2-item",
            "lost-update",
            "internal",
            "future-read",
            "garbage-read",
            "duplicate-elements",
            "incompatible-order",
            "dirty-update"};
  return {"G1a",         "G1b",      "G1c",         "G-single-item", "G-single-item-realtime", "G2-item",
          "lost-update", "internal", "future-read", "garbage-read",  "cyclic-versions"};
}

void inject(History& history, DataModel model, const std::string& anomaly, Rng& rng) {
  auto plan = model == DataModel::kListAppend ? list_append_scenario(anomaly) : rw_register_scenario(anomaly);
  if (plan.empty())
    fail(
        ErrorCode::kBadInput, "cannot inject \"" + anomaly + "\" into a " +
                                  (model == DataModel::kListAppend ? "list-append" : "rw-register") +
                                  " history; injectable: " + [&] {
                                    std::string s;
                                    for (const auto& n : injectable(model)) s += (s.empty() ? "" : ", ") + n;
                                    return s;
                                  }());
  // Fresh processes, each txn invoked after the previous one completed.
  int64_t base = 0;
  for (const Op& op : history) base = std::max(base, op.process + 1);
  size_t at = history.empty() ? 0 : rng.below(history.size() + 1);
  int64_t time = at < history.size() ? history[at].time : (history.empty() ? 0 : history.back().time);
  std::vector<Op> ops;
  for (const Planned& t : plan) {
    ops.push_back(make_op(OpType::kInvoke, base + t.process, as_invocation(t.value)));
    ops.push_back(make_op(t.end, base + t.process, t.value));
  }
  for (Op& op : ops) op.time = time;
  history.insert(history.begin() + at, ops.begin(), ops.end());
  reindex(history);
}

}  // namespace faultline::txn
