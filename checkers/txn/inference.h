// Inference of dependencies from what transactions read and wrote, per data model.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checkers/txn/graph.h"
#include "checkers/txn/txns.h"
#include "harness/core/json.h"

namespace faultline::txn {

// Anomalies found outside cycles (G1a, internal, …). Keeps the first few instances of each kind
// and counts all of them.
class AnomalyLog {
 public:
  static constexpr size_t kKept = 16;
  // Records one instance; `make` builds its JSON only when it is kept. Each instance has an
  // "explanation" string.
  template <typename Make>
  void add(const std::string& name, Make make) {
    if (++counts_[name] <= kKept) instances_[name].push_back(make());
  }
  const std::map<std::string, std::vector<Json>>& instances() const { return instances_; }
  const std::map<std::string, size_t>& counts() const { return counts_; }

 private:
  std::map<std::string, std::vector<Json>> instances_;
  std::map<std::string, size_t> counts_;
};

// Why a data edge holds, in words and as data: {"type","key","value","value'"}.
struct Explained {
  Json step;
  std::string text;
};

class DataExplainer {
 public:
  virtual ~DataExplainer() = default;
  // Explains a -kind-> b (kind ww, wr or rw); nullopt when that edge was not inferred.
  virtual std::optional<Explained> explain(uint32_t a, uint32_t b, EdgeKind kind, const std::string& a_name,
                                           const std::string& b_name) const = 0;
};

struct Inference {
  std::vector<Edge> edges;  // ww, wr and rw edges
  AnomalyLog anomalies;
  std::unique_ptr<DataExplainer> explainer;
  // Set when the history breaks the model's assumptions (e.g. a value appended twice), so no
  // verdict can be given.
  std::string unusable;
};

// Room for the edges of `history` (about three a micro-op) and the session edges check() adds:
// growing by doubling would copy millions of them. Capacity never written costs no memory.
inline size_t expected_edges(const TxnHistory& history) { return 3 * history.mops.size() + 2 * history.txns.size(); }

Inference infer_list_append(const TxnHistory& history);
// What rw-register may assume about each key beyond what txns read and wrote (Elle's
// sequential-keys? and linearizable-keys?).
struct RegisterOrder {
  bool sequential_keys = false;    // process order orders the versions of a key
  bool linearizable_keys = false;  // real-time order orders the versions of a key
};
Inference infer_rw_register(const TxnHistory& history, RegisterOrder order);

// The op as Elle shows it in anomalies: index, process, type, f, value.
Json op_json(const TxnHistory& history, const Txn& txn);
// Keys and values as text for explanations: JSON, strings without quotes.
std::string show(const Json& value);

}  // namespace faultline::txn
