#include "checkers/txn/consistency.h"

#include <algorithm>
#include <map>

#include "harness/core/error.h"
#include "harness/core/text.h"

namespace faultline::txn {
namespace {

// A small DAG given as adjacency lists: a -> b.
using Dag = std::map<std::string, std::vector<std::string>>;

// Model a -> model b: a history satisfying a also satisfies b.
const Dag& model_graph() {
  static const Dag g = {
      {"causal-cerone", {"read-atomic"}},
      {"consistent-view", {"cursor-stability", "monotonic-view"}},
      {"cursor-stability", {"read-committed"}},
      {"forward-consistent-view", {"consistent-view"}},
      {"read-committed", {"read-uncommitted"}},
      {"serializable", {"repeatable-read", "update-serializable", "snapshot-isolation", "view-serializable"}},
      {"update-serializable", {"forward-consistent-view"}},
      {"monotonic-atomic-view", {"read-committed"}},
      {"monotonic-view", {"read-committed"}},
      {"monotonic-snapshot-read", {"read-committed"}},
      {"parallel-snapshot-isolation", {"causal-cerone", "ROLA"}},
      {"prefix", {"causal-cerone"}},
      {"read-atomic", {"monotonic-atomic-view"}},
      {"repeatable-read", {"cursor-stability", "monotonic-atomic-view"}},
      {"ROLA", {"read-atomic"}},
      {"session-serializable", {"1SR"}},
      {"snapshot-isolation",
       {"forward-consistent-view", "monotonic-atomic-view", "monotonic-snapshot-read", "parallel-snapshot-isolation",
        "prefix"}},
      {"strict-serializable",
       {"serializable", "linearizable", "snapshot-isolation", "strong-snapshot-isolation",
        "strong-session-serializable", "session-serializable"}},
      {"strong-session-read-uncommitted", {"read-uncommitted"}},
      {"strong-session-read-committed", {"read-committed", "strong-session-read-uncommitted"}},
      {"strong-read-uncommitted", {"strong-session-read-uncommitted"}},
      {"strong-read-committed", {"strong-session-read-committed", "strong-read-uncommitted"}},
      {"strong-session-serializable", {"serializable", "strong-session-snapshot-isolation"}},
      {"strong-session-snapshot-isolation", {"snapshot-isolation", "strong-session-read-committed"}},
      {"strong-snapshot-isolation", {"strong-session-snapshot-isolation", "strong-read-committed"}},
      {"linearizable", {"sequential"}},
      {"sequential", {"causal"}},
      {"causal", {"writes-follow-reads", "PRAM"}},
      {"PRAM", {"monotonic-reads", "monotonic-writes", "read-your-writes"}},
  };
  return g;
}

// Adya's and other alternative names, mapped to the names above.
const std::map<std::string, std::string>& model_aliases() {
  static const std::map<std::string, std::string> m = {
      {"PL-1", "read-uncommitted"},
      {"PL-2", "read-committed"},
      {"PL-2+", "consistent-view"},
      {"PL-CS", "cursor-stability"},
      {"PL-2.99", "repeatable-read"},
      {"PL-3", "serializable"},
      {"PL-SI", "snapshot-isolation"},
      {"PL-SS", "strict-serializable"},
      {"PL-FCV", "forward-consistent-view"},
      {"PL-MSR", "monotonic-snapshot-read"},
      {"PL-2L", "monotonic-view"},
      {"PL-3U", "update-serializable"},
      {"conflict-serializable", "serializable"},
      {"strong-serializable", "strict-serializable"},
  };
  return m;
}

// Anomaly a -> anomaly b: wherever a occurs, so does b.
const Dag& implied_anomalies() {
  static const Dag g = {
      {"G0", {"G1c", "G0-process"}},
      {"G0-process", {"G1c-process", "G0-realtime"}},
      {"G0-realtime", {"G1c-realtime"}},
      {"G1a", {"G1"}},
      {"G1b", {"G1"}},
      {"G1c", {"G1", "G1c-process"}},
      {"G1c-process", {"G1c-realtime", "G1-process"}},
      {"G1c-realtime", {"G1-realtime"}},
      {"G1", {"G1-process"}},
      {"G1-process", {"G1-realtime"}},
      {"G-single-item", {"G-single", "G-single-item-process", "G-nonadjacent-item"}},
      {"G-single-item-process", {"G-single-process", "G-single-item-realtime", "G-nonadjacent-item-process"}},
      {"G-single-item-realtime", {"G-single-realtime", "G-nonadjacent-item-realtime"}},
      {"G-single", {"G-nonadjacent", "GSIb", "G-single-process"}},
      {"G-single-process", {"G-nonadjacent-process", "G-single-realtime"}},
      {"G-single-realtime", {"G-nonadjacent-realtime"}},
      {"G-nonadjacent-item", {"G-nonadjacent", "G2-item", "G-nonadjacent-item-process"}},
      {"G-nonadjacent-item-process", {"G-nonadjacent-process", "G2-item-process", "G-nonadjacent-item-realtime"}},
      {"G-nonadjacent-item-realtime", {"G2-item-realtime", "G-nonadjacent-realtime"}},
      {"G-nonadjacent", {"G2", "G-nonadjacent-process"}},
      {"G-nonadjacent-process", {"G2-process", "G-nonadjacent-realtime"}},
      {"G-nonadjacent-realtime", {"G2-realtime"}},
      {"G2", {"G2-process"}},
      {"G2-item", {"G2", "G2-item-process"}},
      {"G2-item-process", {"G2-process", "G2-item-realtime"}},
      {"G2-item-realtime", {"G2-realtime"}},
      {"G2-process", {"G2-realtime"}},
      {"GSIa", {"GSI"}},
      {"GSIb", {"GSI"}},
      {"incompatible-order", {"G1a"}},
      {"future-read", {"G1c"}},
      {"dirty-update", {"G1a"}},
      {"lost-update", {"write-skew", "G2-item"}},
      {"write-skew", {"G2"}},
  };
  return g;
}

// Model -> the anomalies it rules out directly (weaker models it implies rule out the rest).
// garbage-read is faultline's addition: no model allows reading a value nobody wrote.
const Dag& proscribed() {
  static const Dag g = {
      {"causal-cerone", {"internal", "G1a"}},
      {"cursor-stability", {"G1", "G-cursor", "lost-update"}},
      {"monotonic-view", {"G1", "G-monotonic"}},
      {"monotonic-snapshot-read", {"G1", "G-MSR"}},
      {"consistent-view", {"G1", "G-single"}},
      {"forward-consistent-view", {"G1", "G-SIb"}},
      {"parallel-snapshot-isolation", {"internal", "G1a"}},
      {"serializable", {"G1", "G2", "internal"}},
      {"read-committed", {"G1"}},
      {"read-uncommitted", {"G0", "duplicate-elements", "cyclic-versions", "garbage-read"}},
      {"prefix", {"internal", "G1a"}},
      {"snapshot-isolation", {"internal", "G1", "G-SI", "G-nonadjacent"}},
      {"read-atomic", {"internal", "G1a", "future-read"}},
      {"repeatable-read", {"G1", "G2-item", "lost-update"}},
      {"ROLA", {"lost-update"}},
      {"strict-serializable", {"G1", "G1c-realtime", "G2-realtime"}},
      {"strong-session-read-uncommitted", {"G0-process"}},
      {"strong-session-read-committed", {"G1c-process"}},
      {"strong-read-uncommitted", {"G0-realtime"}},
      {"strong-read-committed", {"G1c-realtime"}},
      {"strong-session-snapshot-isolation", {"internal", "G1-process", "G-nonadjacent-process"}},
      {"strong-snapshot-isolation", {"internal", "G1-realtime", "G-nonadjacent-realtime"}},
      {"strong-session-serializable", {"G1-process", "G2-process"}},
      {"update-serializable", {"G1", "G-update"}},
  };
  return g;
}

Dag reversed(const Dag& g) {
  Dag r;
  for (const auto& [a, bs] : g)
    for (const auto& b : bs) r[b].push_back(a);
  return r;
}

const Dag& models_implying() {
  static const Dag g = reversed(model_graph());
  return g;
}
const Dag& anomalies_implying() {
  static const Dag g = reversed(implied_anomalies());
  return g;
}
const Dag& proscribing_models() {
  static const Dag g = reversed(proscribed());
  return g;
}

// Everything reachable from `start` (inclusive) along `g`.
std::set<std::string> reach(const Dag& g, const std::set<std::string>& start) {
  std::set<std::string> seen = start;
  std::vector<std::string> todo(start.begin(), start.end());
  while (!todo.empty()) {
    std::string x = todo.back();
    todo.pop_back();
    auto it = g.find(x);
    if (it == g.end()) continue;
    for (const auto& y : it->second)
      if (seen.insert(y).second) todo.push_back(y);
  }
  return seen;
}

std::string canonical_model(const std::string& name) {
  auto alias = model_aliases().find(name);
  std::string m = alias == model_aliases().end() ? name : alias->second;
  auto known = known_models();
  if (std::find(known.begin(), known.end(), m) == known.end())
    fail(ErrorCode::kBadInput, "unknown consistency model \"" + name + "\"; known models: " + join(known));
  return m;
}

}  // namespace

std::vector<std::string> known_models() {
  std::set<std::string> all;
  for (const auto& [a, bs] : model_graph()) {
    all.insert(a);
    all.insert(bs.begin(), bs.end());
  }
  for (const auto& [alias, m] : model_aliases()) all.insert(alias);
  return {all.begin(), all.end()};
}

std::vector<std::string> known_anomalies() {
  std::set<std::string> all;
  for (const Dag* g : {&implied_anomalies(), &proscribing_models()})
    for (const auto& [a, bs] : *g) all.insert(a);
  for (const auto& [a, bs] : implied_anomalies()) all.insert(bs.begin(), bs.end());
  return {all.begin(), all.end()};
}

std::set<std::string> reportable_anomalies(const std::vector<std::string>& models,
                                           const std::vector<std::string>& extra) {
  std::set<std::string> canonical;
  for (const auto& m : models) canonical.insert(canonical_model(m));
  std::set<std::string> direct;
  for (const auto& m : reach(model_graph(), canonical)) {
    auto it = proscribed().find(m);
    if (it != proscribed().end()) direct.insert(it->second.begin(), it->second.end());
  }
  auto known = known_anomalies();
  for (const auto& a : extra) {
    if (std::find(known.begin(), known.end(), a) == known.end())
      fail(ErrorCode::kBadInput, "unknown anomaly \"" + a + "\"; known anomalies: " + join(known));
    direct.insert(a);
  }
  return reach(anomalies_implying(), direct);
}

bool implies(const std::string& a, const std::string& b) { return reach(implied_anomalies(), {a}).count(b) > 0; }

Boundary boundary(const std::set<std::string>& found) {
  std::set<std::string> direct;
  for (const auto& a : reach(implied_anomalies(), found)) {
    auto it = proscribing_models().find(a);
    if (it != proscribing_models().end()) direct.insert(it->second.begin(), it->second.end());
  }
  std::set<std::string> impossible = reach(models_implying(), direct);
  Boundary b;
  for (const auto& m : impossible) {
    // m is among the weakest when no other impossible model is implied by it.
    std::set<std::string> below = reach(model_graph(), {m});
    below.erase(m);
    bool weakest =
        std::none_of(below.begin(), below.end(), [&](const std::string& x) { return impossible.count(x) > 0; });
    (weakest ? b.not_models : b.also_not).push_back(m);
  }
  return b;
}

}  // namespace faultline::txn
