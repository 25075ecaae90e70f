// list-append inference, after Elle: every read of a list reveals a prefix of the key's version
// order, so the longest read orders all appends it contains, and every other read must be a
// prefix of it.
#include <algorithm>
#include <span>
#include <unordered_map>
#include <utility>

#include "checkers/txn/inference.h"

namespace faultline::txn {
namespace {

constexpr uint32_t kNoTxn = UINT32_MAX;

uint64_t slot(uint32_t key, uint32_t value) { return (uint64_t(key) << 32) | value; }

// What is known about one appended element of one key.
struct Element {
  uint32_t writer = kNoTxn;   // txn that appended it
  int32_t position = -1;      // index in the key's version order, when observed
  bool intermediate = false;  // the writer appended to the key again afterwards
};

class ListAppend : public DataExplainer {
 public:
  explicit ListAppend(const TxnHistory& h) : h_(h), orders_(h.keys.size()) {}

  // Fills `out` with edges and anomalies; `out.explainer` must be set to this afterwards.
  void run(Inference& out);
  std::optional<Explained> explain(uint32_t a, uint32_t b, EdgeKind kind, const std::string& an,
                                   const std::string& bn) const override;

 private:
  bool possible(uint32_t t) const { return t != kNoTxn && h_.txns[t].status != TxnStatus::kFail; }
  const Element* element(uint32_t key, uint32_t value) const {
    uint32_t i = index_.find(slot(key, value));
    return i == FlatIndex::kNone ? nullptr : &elements_[i];
  }
  // The committed-or-maybe txn that appended value to key; kNoTxn if none.
  uint32_t writer(uint32_t key, uint32_t value) const {
    const Element* e = element(key, value);
    return e && possible(e->writer) ? e->writer : kNoTxn;
  }
  std::span<const uint32_t> list(const Mop& m) const { return {h_.lists.data() + m.list_begin, m.list_len}; }
  // The element appended just before `value` in the key's version order (kInit if none). An
  // append never observed still follows everything observed.
  uint32_t previous(uint32_t key, uint32_t value) const {
    const auto& order = orders_[key];
    const Element* e = element(key, value);
    if (e && e->position >= 0) return e->position == 0 ? kInit : order[e->position - 1];
    return order.empty() ? kInit : order.back();
  }
  // Txns that read key when its last element was `value` (kInit: read it empty).
  template <typename F>
  void for_each_reader(uint32_t key, uint32_t value, F f) const {
    for (uint32_t r : readers_.of(slot(key, value))) f(r);
  }
  Json key(uint32_t k) const { return h_.keys.value(k); }
  Json val(uint32_t v) const { return h_.values.value(v); }
  Json list_json(const Mop& m) const {
    Json out = Json::array();
    for (uint32_t v : list(m)) out.push_back(val(v));
    return out;
  }
  Json mop_json(const Mop& m) const {
    if (m.kind == MopKind::kAppend) return {"append", key(m.key), val(m.value)};
    return {"r", key(m.key), m.unobserved ? Json() : list_json(m)};
  }
  bool observed_read(const Txn& t, const Mop& m) const {
    return m.kind == MopKind::kRead && !m.unobserved && t.status != TxnStatus::kFail;
  }

  void index_appends(Inference& out);
  void build_orders(Inference& out);
  void check_reads(Inference& out);
  void check_internal(Inference& out);
  void infer_edges(Inference& out);

  const TxnHistory& h_;
  std::vector<Element> elements_;
  FlatIndex index_;  // (key, value) -> position in elements_
  // Per key: the first position of its version order whose element a read may not show (a
  // garbage read, an element of a failed txn, a repeat); reads that are prefixes shorter than it
  // need no look-up per element.
  std::vector<uint32_t> first_problem_;
  std::vector<std::vector<uint32_t>> orders_;  // per key: the version order observed
  Groups readers_;                             // by the version they read: (key, last element), in txn order
};

void ListAppend::index_appends(Inference& out) {
  elements_.reserve(h_.mops.size() / 2);
  index_ = FlatIndex(h_.mops.size() / 2);
  for (uint32_t t = 0; t < h_.txns.size(); ++t) {
    const Txn& txn = h_.txns[t];
    for (const Mop* m = h_.begin(txn); m != h_.end(txn); ++m) {
      if (m->kind != MopKind::kAppend) continue;
      auto [at, added] = index_.insert(slot(m->key, m->value), uint32_t(elements_.size()));
      if (added) elements_.emplace_back();
      Element& e = elements_[at];
      if (e.writer != kNoTxn && out.unusable.empty())
        out.unusable = "value " + show(val(m->value)) + " is appended to key " + show(key(m->key)) +
                       " more than once (ops " + std::to_string(h_.index(h_.txns[e.writer])) + " and " +
                       std::to_string(h_.index(txn)) + "); list-append needs unique appended values";
      e.writer = t;
      // An earlier append by this txn to the same key is intermediate.
      for (const Mop* p = m + 1; p != h_.end(txn); ++p)
        if (p->kind == MopKind::kAppend && p->key == m->key) {
          e.intermediate = true;
          break;
        }
    }
  }
}

void ListAppend::build_orders(Inference& out) {
  // The longest observed read of each key is its version order; a key never read but appended to
  // exactly once has the order [that value].
  std::vector<const Mop*> longest(h_.keys.size(), nullptr);
  std::vector<uint32_t> appends(h_.keys.size(), 0), single(h_.keys.size(), kInit);
  for (const Txn& t : h_.txns)
    for (const Mop* m = h_.begin(t); m != h_.end(t); ++m) {
      if (observed_read(t, *m) && (!longest[m->key] || m->list_len > longest[m->key]->list_len)) longest[m->key] = m;
      if (m->kind == MopKind::kAppend && t.status != TxnStatus::kFail) ++appends[m->key], single[m->key] = m->value;
    }
  first_problem_.assign(h_.keys.size(), UINT32_MAX);
  for (uint32_t k = 0; k < h_.keys.size(); ++k) {
    if (longest[k] && longest[k]->list_len > 0) {
      auto l = list(*longest[k]);
      orders_[k].assign(l.begin(), l.end());
    } else if (appends[k] == 1) {
      orders_[k] = {single[k]};
    }
    auto& order = orders_[k];
    // Elle's rule for dirty updates: a failed append followed by a committed one.
    uint32_t last_failed = kNoTxn;
    for (size_t i = 0; i < order.size(); ++i) {
      uint32_t at = index_.find(slot(k, order[i]));
      auto problem = [&] { first_problem_[k] = std::min(first_problem_[k], uint32_t(i)); };
      if (at == FlatIndex::kNone) {  // a garbage read, reported with the reads
        problem();
        continue;
      }
      Element& e = elements_[at];
      if (e.position < 0) e.position = int32_t(i);
      if (e.position != int32_t(i)) problem();
      uint32_t w = e.writer;
      if (h_.txns[w].status == TxnStatus::kFail) problem();
      if (h_.txns[w].status == TxnStatus::kFail) {
        last_failed = w;
      } else if (last_failed != kNoTxn && h_.txns[w].status == TxnStatus::kOk) {
        uint32_t failed = last_failed;
        out.anomalies.add("dirty-update", [&] {
          return Json{
              {"key", key(k)},
              {"value", val(order[i])},
              {"txns", {op_json(h_, h_.txns[failed]), op_json(h_, h_.txns[w])}},
              {"explanation", "op " + std::to_string(h_.index(h_.txns[w])) + " appended " + show(val(order[i])) +
                                  " to key " + show(key(k)) + " on top of a state written by op " +
                                  std::to_string(h_.index(h_.txns[failed])) + ", which failed"}};
        });
        last_failed = kNoTxn;
      }
    }
  }
}

void ListAppend::check_reads(Inference& out) {
  std::vector<std::pair<uint64_t, uint32_t>> read_slots;  // (key/last element, reader)
  for (uint32_t t = 0; t < h_.txns.size(); ++t) {
    const Txn& txn = h_.txns[t];
    for (const Mop* m = h_.begin(txn); m != h_.end(txn); ++m) {
      if (!observed_read(txn, *m)) continue;
      read_slots.push_back({slot(m->key, m->list_len ? list(*m).back() : kInit), t});
      if (txn.status != TxnStatus::kOk) continue;
      auto l = list(*m);
      const auto& order = orders_[m->key];
      bool prefix = l.size() <= order.size() && std::equal(l.begin(), l.end(), order.begin());
      auto report = [&](const std::string& name, const std::string& why, Json extra) {
        out.anomalies.add(name, [&] {
          Json j = {{"op", op_json(h_, txn)}, {"mop", mop_json(*m)}, {"explanation", why}};
          j.update(extra);
          return j;
        });
      };
      // Text for explanations, made only when there is something to explain.
      auto at = [&] {
        return "op " + std::to_string(h_.index(txn)) + " read key " + show(key(m->key)) + " = " + list_json(*m).dump();
      };
      if (!prefix) {
        Json longest = Json::array();
        for (uint32_t v : order) longest.push_back(val(v));
        report("incompatible-order",
               at() + ", which is not a prefix of another read of it, " + longest.dump() +
                   ": no single order of appends explains both",
               {{"key", key(m->key)}, {"values", {list_json(*m), longest}}});
      }
      // Elements: each at most once, each appended by someone, none by a failed txn.
      bool clean = prefix && l.size() <= first_problem_[m->key];
      for (size_t i = 0; i < l.size() && !clean; ++i) {
        const Element* e = element(m->key, l[i]);
        if (!e || e->writer == kNoTxn) {
          report("garbage-read", at() + ", but no txn ever appended " + show(val(l[i])), {{"element", val(l[i])}});
        } else if (h_.txns[e->writer].status == TxnStatus::kFail) {
          report("G1a",
                 at() + ", including " + show(val(l[i])) + " appended by op " +
                     std::to_string(h_.index(h_.txns[e->writer])) + ", which failed",
                 {{"element", val(l[i])}, {"writer", op_json(h_, h_.txns[e->writer])}});
        }
        if (!prefix || e == nullptr) continue;
        if (e->position != int32_t(i)) {
          report("duplicate-elements", at() + ", which holds " + show(val(l[i])) + " twice", {{"element", val(l[i])}});
          break;
        }
      }
      if (!prefix)
        for (size_t i = 0; i < l.size(); ++i)
          if (std::find(l.begin(), l.begin() + i, l[i]) != l.begin() + i) {
            report("duplicate-elements", at() + ", which holds " + show(val(l[i])) + " twice",
                   {{"element", val(l[i])}});
            break;
          }
      if (!l.empty()) {
        const Element* last = element(m->key, l.back());
        if (last && last->intermediate && last->writer != t && possible(last->writer))
          report("G1b",
                 at() + ", whose last element " + show(val(l.back())) + " is an intermediate append of op " +
                     std::to_string(h_.index(h_.txns[last->writer])) + ", which appended to the key again later",
                 {{"element", val(l.back())}, {"writer", op_json(h_, h_.txns[last->writer])}});
      }
    }
  }
  readers_ = Groups(read_slots);
}

void ListAppend::check_internal(Inference& out) {
  // Per committed txn: each read must agree with the txn's own earlier reads and appends, and must
  // not show an element the txn appends only later. Lost updates: committed txns that read the
  // same version of a key and then both appended to it.
  std::vector<std::pair<uint64_t, uint32_t>> read_then_wrote;
  struct KeyState {
    uint32_t key;
    bool known;  // `expected` is the whole list, not just its suffix
    std::vector<uint32_t> expected;
    bool read = false, wrote = false;
    uint32_t first_read_last = kInit;
    std::vector<const Mop*> reads;  // the txn's reads of the key so far
  };
  // The first `used` states are the current txn's; the others keep their buffers for the next.
  std::vector<KeyState> state;
  size_t used = 0;
  auto open_key = [&](uint32_t key, bool known, bool read, uint32_t first_read_last) {
    if (used == state.size()) state.emplace_back();
    KeyState& s = state[used++];
    s.key = key, s.known = known, s.read = read, s.wrote = false, s.first_read_last = first_read_last;
    s.expected.clear();
    s.reads.clear();
    return state.begin() + long(used - 1);
  };
  for (uint32_t t = 0; t < h_.txns.size(); ++t) {
    const Txn& txn = h_.txns[t];
    if (txn.status != TxnStatus::kOk) continue;
    used = 0;
    for (const Mop* m = h_.begin(txn); m != h_.end(txn); ++m) {
      auto end = state.begin() + long(used);
      auto it = std::find_if(state.begin(), end, [&](const KeyState& s) { return s.key == m->key; });
      if (m->kind == MopKind::kAppend) {
        if (it == end) it = open_key(m->key, false, false, kInit);
        if (it->read && !it->wrote) read_then_wrote.push_back({slot(m->key, it->first_read_last), t});
        it->wrote = true;
        it->expected.push_back(m->value);
        for (const Mop* r : it->reads) {
          auto l = list(*r);
          if (std::find(l.begin(), l.end(), m->value) != l.end())
            out.anomalies.add("future-read", [&] {
              return Json{
                  {"op", op_json(h_, txn)},
                  {"mop", mop_json(*r)},
                  {"element", val(m->value)},
                  {"explanation", "op " + std::to_string(h_.index(txn)) + " read " + show(val(m->value)) + " in key " +
                                      show(key(m->key)) + " before it appended that value itself"}};
            });
        }
        continue;
      }
      auto l = list(*m);
      if (it != end) {
        const auto& e = it->expected;
        bool agrees = it->known ? std::equal(l.begin(), l.end(), e.begin(), e.end())
                                : l.size() >= e.size() && std::equal(e.begin(), e.end(), l.end() - e.size());
        if (!agrees)
          out.anomalies.add("internal", [&] {
            Json exp = it->known ? Json::array() : Json::array({"..."});
            for (uint32_t v : e) exp.push_back(val(v));
            return Json{{"op", op_json(h_, txn)},
                        {"mop", mop_json(*m)},
                        {"expected", exp},
                        {"explanation", "op " + std::to_string(h_.index(txn)) + " read key " + show(key(m->key)) +
                                            " = " + list_json(*m).dump() +
                                            " but its own earlier reads and appends imply " + exp.dump()}};
          });
      } else {
        it = open_key(m->key, true, true, l.empty() ? kInit : l.back());
      }
      it->known = true;
      it->expected.assign(l.begin(), l.end());
      it->reads.push_back(m);
    }
  }
  std::sort(read_then_wrote.begin(), read_then_wrote.end());
  for (size_t i = 0; i < read_then_wrote.size();) {
    size_t j = i;
    while (j < read_then_wrote.size() && read_then_wrote[j].first == read_then_wrote[i].first) ++j;
    if (j - i >= 2) {
      uint32_t k = uint32_t(read_then_wrote[i].first >> 32);
      uint32_t v = uint32_t(read_then_wrote[i].first);
      out.anomalies.add("lost-update", [&] {
        Json txns = Json::array();
        std::string ops;
        for (size_t x = i; x < j; ++x) {
          txns.push_back(op_json(h_, h_.txns[read_then_wrote[x].second]));
          ops += (ops.empty() ? "" : ", ") + std::to_string(h_.index(h_.txns[read_then_wrote[x].second]));
        }
        std::string version = v == kInit ? "the empty list" : "the version ending in " + show(val(v));
        return Json{{"key", key(k)},
                    {"value", v == kInit ? Json() : val(v)},
                    {"txns", txns},
                    {"explanation", "ops " + ops + " all read " + version + " of key " + show(key(k)) +
                                        " and then appended to it: one update was lost"}};
      });
    }
    i = j;
  }
}

void ListAppend::infer_edges(Inference& out) {
  out.edges.reserve(expected_edges(h_));
  for (uint32_t t = 0; t < h_.txns.size(); ++t) {
    const Txn& txn = h_.txns[t];
    if (txn.status == TxnStatus::kFail) continue;
    for (const Mop* m = h_.begin(txn); m != h_.end(txn); ++m) {
      if (observed_read(txn, *m) && m->list_len) {
        uint32_t w = writer(m->key, list(*m).back());
        if (w != kNoTxn) out.edges.push_back({w, t, kWR});
      }
      if (m->kind != MopKind::kAppend) continue;
      uint32_t prev = previous(m->key, m->value);
      if (prev != kInit) {
        uint32_t w = writer(m->key, prev);
        if (w != kNoTxn) out.edges.push_back({w, t, kWW});
      }
      for_each_reader(m->key, prev, [&](uint32_t r) { out.edges.push_back({r, t, kRW}); });
    }
  }
}

void ListAppend::run(Inference& out) {
  index_appends(out);
  build_orders(out);
  check_reads(out);
  check_internal(out);
  infer_edges(out);
}

std::optional<Explained> ListAppend::explain(uint32_t a, uint32_t b, EdgeKind kind, const std::string& an,
                                             const std::string& bn) const {
  const Txn& tb = h_.txns[b];
  for (const Mop* m = h_.begin(tb); m != h_.end(tb); ++m) {
    if (kind == kWR && observed_read(tb, *m) && m->list_len) {
      uint32_t v = list(*m).back();
      if (writer(m->key, v) != a) continue;
      return Explained{{{"type", "wr"}, {"key", key(m->key)}, {"value", val(v)}},
                       bn + " observed " + an + "'s append of " + show(val(v)) + " to key " + show(key(m->key))};
    }
    if (m->kind != MopKind::kAppend) continue;
    uint32_t prev = previous(m->key, m->value);
    if (kind == kWW && prev != kInit && writer(m->key, prev) == a)
      return Explained{{{"type", "ww"}, {"key", key(m->key)}, {"value", val(prev)}, {"value'", val(m->value)}},
                       bn + " appended " + show(val(m->value)) + " after " + an + " appended " + show(val(prev)) +
                           " to key " + show(key(m->key))};
    if (kind == kRW) {
      bool read = false;
      for_each_reader(m->key, prev, [&](uint32_t r) { read |= r == a; });
      if (!read) continue;
      Json step{{"type", "rw"},
                {"key", key(m->key)},
                {"value", prev == kInit ? Json() : val(prev)},
                {"value'", val(m->value)}};
      if (prev == kInit)
        return Explained{step, an + " observed the initial (empty) state of key " + show(key(m->key)) + ", which " +
                                   bn + " created by appending " + show(val(m->value))};
      return Explained{
          step, an + " did not observe " + bn + "'s append of " + show(val(m->value)) + " to key " + show(key(m->key))};
    }
  }
  return std::nullopt;
}

}  // namespace

Inference infer_list_append(const TxnHistory& history) {
  Inference out;
  auto la = std::make_unique<ListAppend>(history);
  la->run(out);
  out.explainer = std::move(la);
  return out;
}

}  // namespace faultline::txn
