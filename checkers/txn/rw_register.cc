// rw-register inference, after Elle: registers hold one value, writes are unique per key, and the
// version order of a key is known only in part: the initial nil state comes first, and a txn
// that read version a of a key and then wrote b puts a before b.
#include <algorithm>
#include <unordered_map>

#include "checkers/txn/inference.h"

namespace faultline::txn {
namespace {

constexpr uint32_t kNoTxn = UINT32_MAX;

uint64_t slot(uint32_t key, uint32_t value) { return (uint64_t(key) << 32) | value; }

struct Written {
  uint32_t writer = kNoTxn;
  bool intermediate = false;  // the writer wrote the key again afterwards
};

struct VersionEdge {
  uint32_t key, from, to;  // from precedes to in the key's version order
};

class RwRegister : public DataExplainer {
 public:
  RwRegister(const TxnHistory& h, RegisterOrder order) : h_(h), order_(order) {}
  void run(Inference& out);
  std::optional<Explained> explain(uint32_t a, uint32_t b, EdgeKind kind, const std::string& an,
                                   const std::string& bn) const override;

 private:
  bool possible(uint32_t t) const { return t != kNoTxn && h_.txns[t].status != TxnStatus::kFail; }
  const Written* written(uint32_t key, uint32_t value) const {
    uint32_t i = index_.find(slot(key, value));
    return i == FlatIndex::kNone ? nullptr : &writes_[i].second;
  }
  uint32_t writer(uint32_t key, uint32_t value) const {
    const Written* w = written(key, value);
    return w && possible(w->writer) ? w->writer : kNoTxn;
  }
  Json key(uint32_t k) const { return h_.keys.value(k); }
  Json val(uint32_t v) const { return h_.values.value(v); }
  std::string shown(uint32_t v) const { return v == kInit ? "nil" : show(val(v)); }
  Json mop_json(const Mop& m) const {
    if (m.kind == MopKind::kWrite) return {"w", key(m.key), val(m.value)};
    return {"r", key(m.key), val(m.value)};
  }
  // External reads: a read of a key before the txn wrote or read it. `f(mop)`.
  template <typename F>
  void for_each_external_read(const Txn& t, F f) const {
    for (const Mop* m = h_.begin(t); m != h_.end(t); ++m) {
      if (m->kind != MopKind::kRead || m->unobserved) continue;
      bool first = std::none_of(h_.begin(t), m, [&](const Mop& p) { return p.key == m->key; });
      if (first) f(*m);
    }
  }
  // Final writes: a txn's last write of each key.
  template <typename F>
  void for_each_final_write(const Txn& t, F f) const {
    for (const Mop* m = h_.begin(t); m != h_.end(t); ++m) {
      if (m->kind != MopKind::kWrite) continue;
      bool last =
          std::none_of(m + 1, h_.end(t), [&](const Mop& p) { return p.kind == MopKind::kWrite && p.key == m->key; });
      if (last) f(*m);
    }
  }
  bool read_by(uint32_t reader, uint32_t key, uint32_t value) const {
    auto group = reader_groups_.of(slot(key, value));
    return std::binary_search(group.begin(), group.end(), reader);
  }

  void index_writes(Inference& out);
  void check_txns(Inference& out);
  void order_keys();
  void build_versions(Inference& out);

  const TxnHistory& h_;
  RegisterOrder order_;
  std::vector<std::pair<uint64_t, Written>> writes_;    // by (key, value) written
  FlatIndex index_;                                     // (key, value) -> position in writes_
  std::vector<std::pair<uint64_t, uint32_t>> readers_;  // (key/value read externally, reader), in txn order
  Groups reader_groups_;                                // the same by key/value
  std::vector<VersionEdge> versions_;                   // sorted by (key, to)
};

void RwRegister::index_writes(Inference& out) {
  writes_.reserve(h_.mops.size() / 2);
  index_ = FlatIndex(h_.mops.size() / 2);
  for (uint32_t t = 0; t < h_.txns.size(); ++t) {
    const Txn& txn = h_.txns[t];
    for (const Mop* m = h_.begin(txn); m != h_.end(txn); ++m) {
      if (m->kind != MopKind::kWrite) continue;
      auto [at, added] = index_.insert(slot(m->key, m->value), uint32_t(writes_.size()));
      if (added) writes_.push_back({slot(m->key, m->value), {}});
      Written& w = writes_[at].second;
      if (w.writer != kNoTxn && w.writer != t && out.unusable.empty())
        out.unusable = "value " + show(val(m->value)) + " is written to key " + show(key(m->key)) +
                       " more than once (ops " + std::to_string(h_.index(h_.txns[w.writer])) + " and " +
                       std::to_string(h_.index(txn)) + "); rw-register needs unique written values";
      w.writer = t;
      w.intermediate =
          std::any_of(m + 1, h_.end(txn), [&](const Mop& p) { return p.kind == MopKind::kWrite && p.key == m->key; });
    }
  }
}

void RwRegister::check_txns(Inference& out) {
  std::vector<std::pair<uint64_t, uint32_t>> read_then_wrote;
  for (uint32_t t = 0; t < h_.txns.size(); ++t) {
    const Txn& txn = h_.txns[t];
    if (txn.status == TxnStatus::kFail) continue;
    for_each_external_read(txn, [&](const Mop& m) {
      readers_.push_back({slot(m.key, m.value), t});
      bool writes_key = std::any_of(h_.begin(txn), h_.end(txn),
                                    [&](const Mop& p) { return p.kind == MopKind::kWrite && p.key == m.key; });
      if (writes_key && txn.status == TxnStatus::kOk) read_then_wrote.push_back({slot(m.key, m.value), t});
    });
    if (txn.status != TxnStatus::kOk) continue;

    for (const Mop* m = h_.begin(txn); m != h_.end(txn); ++m) {
      if (m->kind != MopKind::kRead) continue;
      auto report = [&](const std::string& name, const std::string& why, Json extra) {
        out.anomalies.add(name, [&] {
          Json j = {{"op", op_json(h_, txn)}, {"mop", mop_json(*m)}, {"explanation", why}};
          j.update(extra);
          return j;
        });
      };
      // Text for explanations, made only when there is something to explain.
      auto at = [&] {
        return "op " + std::to_string(h_.index(txn)) + " read key " + show(key(m->key)) + " = " + shown(m->value);
      };
      // Internal consistency: the txn's own last access of the key fixes what it must read.
      const Mop* before = nullptr;
      for (const Mop* p = h_.begin(txn); p != m; ++p)
        if (p->key == m->key) before = p;
      if (before && before->value != m->value)
        report("internal",
               at() + " but its own earlier " + (before->kind == MopKind::kWrite ? "write" : "read") + " implies " +
                   shown(before->value),
               {{"expected", before->value == kInit ? Json() : val(before->value)}});
      bool future = std::any_of(m + 1, h_.end(txn), [&](const Mop& p) {
        return p.kind == MopKind::kWrite && p.key == m->key && p.value == m->value;
      });
      if (future && m->value != kInit)
        report("future-read", at() + " before it wrote that value itself", Json::object());
      if (before || m->value == kInit) continue;
      const Written* wr = written(m->key, m->value);
      if (!wr) {
        report("garbage-read", at() + ", but no txn ever wrote " + shown(m->value), Json::object());
      } else if (h_.txns[wr->writer].status == TxnStatus::kFail) {
        report("G1a", at() + ", written by op " + std::to_string(h_.index(h_.txns[wr->writer])) + ", which failed",
               {{"writer", op_json(h_, h_.txns[wr->writer])}});
      } else if (wr->intermediate && wr->writer != t) {
        report("G1b",
               at() + ", an intermediate write of op " + std::to_string(h_.index(h_.txns[wr->writer])) +
                   ", which wrote the key again later",
               {{"writer", op_json(h_, h_.txns[wr->writer])}});
      }
    }
  }
  reader_groups_ = Groups(readers_);
  std::sort(read_then_wrote.begin(), read_then_wrote.end());
  for (size_t i = 0; i < read_then_wrote.size();) {
    size_t j = i;
    while (j < read_then_wrote.size() && read_then_wrote[j].first == read_then_wrote[i].first) ++j;
    if (j - i >= 2) {
      uint32_t k = uint32_t(read_then_wrote[i].first >> 32), v = uint32_t(read_then_wrote[i].first);
      out.anomalies.add("lost-update", [&] {
        Json txns = Json::array();
        std::string ops;
        for (size_t x = i; x < j; ++x) {
          const Txn& tx = h_.txns[read_then_wrote[x].second];
          txns.push_back(op_json(h_, tx));
          ops += (ops.empty() ? "" : ", ") + std::to_string(h_.index(tx));
        }
        return Json{{"key", key(k)},
                    {"value", v == kInit ? Json() : val(v)},
                    {"txns", txns},
                    {"explanation", "ops " + ops + " all read key " + show(key(k)) + " = " + shown(v) +
                                        " and then wrote it: one update was lost"}};
      });
    }
    i = j;
  }
}

void RwRegister::order_keys() {
  if (!order_.sequential_keys && !order_.linearizable_keys) return;
  // Each committed txn leaves each key it touched at a version: its last write, else what it read.
  struct Touch {
    uint32_t key, txn, version;
  };
  std::vector<Touch> touches;
  for (uint32_t t = 0; t < h_.txns.size(); ++t) {
    const Txn& txn = h_.txns[t];
    if (txn.status != TxnStatus::kOk) continue;
    for (const Mop* m = h_.begin(txn); m != h_.end(txn); ++m) {
      if (std::any_of(h_.begin(txn), m, [&](const Mop& p) { return p.key == m->key; })) continue;
      uint32_t version = m->value;
      for (const Mop* p = m; p != h_.end(txn); ++p)
        if (p->kind == MopKind::kWrite && p->key == m->key) version = p->value;
      touches.push_back({m->key, t, version});
    }
  }
  std::sort(touches.begin(), touches.end(),
            [](const Touch& a, const Touch& b) { return std::tie(a.key, a.txn) < std::tie(b.key, b.txn); });
  for (size_t i = 0; i < touches.size();) {
    size_t j = i;
    std::vector<uint32_t> txns;
    for (; j < touches.size() && touches[j].key == touches[i].key; ++j) txns.push_back(touches[j].txn);
    auto version_of = [&](uint32_t t) {
      return touches[i + (std::lower_bound(txns.begin(), txns.end(), t) - txns.begin())].version;
    };
    std::vector<Edge> order = order_.linearizable_keys ? realtime_edges(h_, txns) : process_edges(h_, txns);
    for (const Edge& e : order)
      if (version_of(e.from) != version_of(e.to))
        versions_.push_back({touches[i].key, version_of(e.from), version_of(e.to)});
    i = j;
  }
}

void RwRegister::build_versions(Inference& out) {
  // Writes-follow-reads within committed txns, then nil before every version nothing else
  // precedes (a reduction of "nil precedes everything").
  for (const Txn& txn : h_.txns) {
    if (txn.status != TxnStatus::kOk) continue;
    for_each_external_read(txn, [&](const Mop& r) {
      for_each_final_write(txn, [&](const Mop& w) {
        if (w.key == r.key && w.value != r.value) versions_.push_back({r.key, r.value, w.value});
      });
    });
  }
  order_keys();
  FlatIndex has_pred(versions_.size());
  for (const auto& e : versions_) has_pred.insert(slot(e.key, e.to), 0);
  for (const auto& [s, w] : writes_)
    if (possible(w.writer) && has_pred.find(s) == FlatIndex::kNone)
      versions_.push_back({uint32_t(s >> 32), kInit, uint32_t(s)});
  std::sort(versions_.begin(), versions_.end(), [](const VersionEdge& a, const VersionEdge& b) {
    return std::tie(a.key, a.to, a.from) < std::tie(b.key, b.to, b.from);
  });
  versions_.erase(std::unique(versions_.begin(), versions_.end(),
                              [](const VersionEdge& a, const VersionEdge& b) {
                                return a.key == b.key && a.to == b.to && a.from == b.from;
                              }),
                  versions_.end());

  // Cyclic version orders: cycles in the graph of versions.
  FlatIndex ids(versions_.size());
  std::vector<uint64_t> slots;
  auto id = [&](uint32_t k, uint32_t v) {
    auto [i, added] = ids.insert(slot(k, v), uint32_t(slots.size()));
    if (added) slots.push_back(slot(k, v));
    return i;
  };
  std::vector<Edge> vedges;
  for (const auto& e : versions_) vedges.push_back({id(e.key, e.from), id(e.key, e.to), kWW});
  TxnGraph vgraph(slots.size(), std::move(vedges));
  for (const auto& component : cyclic_components(vgraph, kWW)) {
    uint32_t k = uint32_t(slots[component[0]] >> 32);
    out.anomalies.add("cyclic-versions", [&] {
      Json values = Json::array();
      for (uint32_t c : component) values.push_back(val(uint32_t(slots[c])));
      return Json{{"key", key(k)},
                  {"values", values},
                  {"explanation", "txns read and then wrote key " + show(key(k)) + " so that versions " +
                                      values.dump() + " each precede another: no version order exists"}};
    });
  }

  // Dependencies from the version order.
  out.edges.reserve(expected_edges(h_));
  for (const auto& e : versions_) {
    uint32_t to = writer(e.key, e.to);
    if (to == kNoTxn) continue;
    if (e.from != kInit) {
      uint32_t from = writer(e.key, e.from);
      if (from != kNoTxn) out.edges.push_back({from, to, kWW});
    }
    for (uint32_t r : reader_groups_.of(slot(e.key, e.from))) out.edges.push_back({r, to, kRW});
  }
  for (const auto& [s, reader] : readers_) {
    uint32_t w = uint32_t(s) == kInit ? kNoTxn : writer(uint32_t(s >> 32), uint32_t(s));
    if (w != kNoTxn) out.edges.push_back({w, reader, kWR});
  }
}

void RwRegister::run(Inference& out) {
  index_writes(out);
  check_txns(out);
  build_versions(out);
}

std::optional<Explained> RwRegister::explain(uint32_t a, uint32_t b, EdgeKind kind, const std::string& an,
                                             const std::string& bn) const {
  std::optional<Explained> found;
  const Txn& tb = h_.txns[b];
  if (kind == kWR) {
    for_each_external_read(tb, [&](const Mop& m) {
      if (!found && m.value != kInit && writer(m.key, m.value) == a)
        found = Explained{{{"type", "wr"}, {"key", key(m.key)}, {"value", val(m.value)}},
                          bn + " read " + an + "'s write of " + shown(m.value) + " to key " + show(key(m.key))};
    });
    return found;
  }
  for_each_final_write(tb, [&](const Mop& w) {
    auto it = std::lower_bound(versions_.begin(), versions_.end(), VersionEdge{w.key, 0, w.value},
                               [](const VersionEdge& x, const VersionEdge& y) {
                                 return std::tie(x.key, x.to, x.from) < std::tie(y.key, y.to, y.from);
                               });
    for (; !found && it != versions_.end() && it->key == w.key && it->to == w.value; ++it) {
      Json step{{"type", edge_kind_name(kind)},
                {"key", key(w.key)},
                {"value", it->from == kInit ? Json() : val(it->from)},
                {"value'", val(w.value)}};
      if (kind == kWW && it->from != kInit && writer(w.key, it->from) == a)
        found = Explained{step, bn + " wrote " + shown(w.value) + " to key " + show(key(w.key)) +
                                    ", a later version than " + an + "'s write of " + shown(it->from)};
      if (kind == kRW && read_by(a, w.key, it->from))
        found = Explained{step, an + " read key " + show(key(w.key)) + " = " + shown(it->from) +
                                    " and did not observe " + bn + "'s later write of " + shown(w.value)};
    }
  });
  return found;
}

}  // namespace

Inference infer_rw_register(const TxnHistory& history, RegisterOrder order) {
  Inference out;
  auto rw = std::make_unique<RwRegister>(history, order);
  rw->run(out);
  out.explainer = std::move(rw);
  return out;
}

}  // namespace faultline::txn
