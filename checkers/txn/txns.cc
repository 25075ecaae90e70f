#include "checkers/txn/txns.h"

#include <algorithm>
#include <tuple>

#include "harness/core/error.h"

namespace faultline::txn {

uint32_t Interner::id(ValueId value) {
  const CompactHistory& h = *history_;
  auto next = uint32_t(values_.size());
  bool added;
  uint32_t found;
  if (h.is_int(value)) {
    std::tie(found, added) = ints_.insert(uint64_t(h.as_int(value)), next);
  } else if (h.is_null(value)) {
    return kInit;
  } else if (h.is_string(value)) {
    std::tie(found, added) = strings_.insert(h.as_string(value), next);
  } else {
    auto [it, a] = others_.try_emplace(h.json(value).dump(), next);
    added = a, found = it->second;
  }
  if (added) values_.push_back(value);
  return found;
}

Groups::Groups(const std::vector<std::pair<uint64_t, uint32_t>>& members) : index_(members.size() / 4) {
  // A counting sort, which keeps the given order within each group.
  std::vector<uint32_t> group_of(members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    uint32_t g = index_.insert(members[i].first, uint32_t(offsets_.size())).first;
    if (g == offsets_.size()) offsets_.push_back(0);
    ++offsets_[g];
    group_of[i] = g;
  }
  uint32_t sum = 0;
  for (uint32_t& o : offsets_) sum += std::exchange(o, sum);
  offsets_.push_back(sum);
  members_.resize(members.size());
  std::vector<uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (size_t i = 0; i < members.size(); ++i) members_[fill[group_of[i]]++] = members[i].second;
}

namespace {

// The ids of the few strings parsing compares against (kNoString when the history lacks one), and
// per key the elements of the last list read of it: reads of a key mostly repeat a prefix of the
// one before, so their elements' ids are found there without hashing.
struct Names {
  StringId txn, r, append, w;
  struct Seen {
    ValueKind kind;
    int64_t payload;
    uint32_t id;
  };
  std::vector<std::vector<Seen>> last_read;
  explicit Names(const CompactHistory& h)
      : txn(h.find("txn")), r(h.find("r")), append(h.find("append")), w(h.find("w")) {}
};

// The id of element `e` of a list read of `key`; ints and strings (equal exactly when their
// payloads are) go through the key's last read.
uint32_t element_id(TxnHistory& h, Names& names, uint32_t key, size_t e, ValueId v) {
  const ValueNode& n = h.history->node(v);
  if (n.kind != ValueKind::kInt && n.kind != ValueKind::kString) return h.values.id(v);
  if (names.last_read.size() <= key) names.last_read.resize(h.keys.size());
  auto& seen = names.last_read[key];
  if (e < seen.size() && seen[e].kind == n.kind && seen[e].payload == n.payload) return seen[e].id;
  uint32_t id = h.values.id(v);
  if (seen.size() <= e) seen.resize(e + 1);
  seen[e] = {n.kind, n.payload, id};
  return id;
}

[[noreturn]] void bad_mop(const CompactHistory& history, const CompactOp& op, ValueId mop, DataModel model) {
  std::string expected = model == DataModel::kListAppend ? "[\"append\", key, value] or [\"r\", key, [values] or null]"
                                                         : "[\"w\", key, value] or [\"r\", key, value or null]";
  fail(ErrorCode::kBadInput, "op " + std::to_string(op.index) + ": micro-op " + history.json(mop).dump() + " is not " +
                                 expected + "; is --model right?");
}

void parse_mops(TxnHistory& h, Names& names, const CompactOp& op, TxnStatus status) {
  const CompactHistory& c = *h.history;
  ValueId value = op.value;
  if (!c.is_array(value))
    fail(ErrorCode::kBadInput,
         "op " + std::to_string(op.index) + ": a txn's value must be a list of micro-ops, got " + c.json(value).dump());
  bool lists = h.model == DataModel::kListAppend;
  StringId write = lists ? names.append : names.w;
  for (size_t i = 0, n = c.count(value); i < n; ++i) {
    ValueId m = c.element(value, i);
    if (c.count(m) != 3 || !c.is_string(c.element(m, 0))) bad_mop(c, op, m, h.model);
    StringId f = c.as_string(c.element(m, 0));
    ValueId arg = c.element(m, 2);
    Mop mop{MopKind::kRead};
    mop.key = h.keys.id(c.element(m, 1));
    if (f == names.r) {
      bool null = c.is_null(arg);
      mop.unobserved = status != TxnStatus::kOk && null;
      if (lists && !null) {
        if (!c.is_array(arg)) bad_mop(c, op, m, h.model);
        size_t len = c.count(arg);
        mop.list_begin = uint32_t(h.lists.size());
        mop.list_len = uint32_t(len);
        for (size_t e = 0; e < len; ++e) h.lists.push_back(element_id(h, names, mop.key, e, c.element(arg, e)));
      } else if (!lists) {
        mop.value = h.values.id(arg);
      }
    } else if (f == write && write != kNoString) {
      mop.kind = lists ? MopKind::kAppend : MopKind::kWrite;
      if (c.is_null(arg)) bad_mop(c, op, m, h.model);
      mop.value = h.values.id(arg);
    } else {
      bad_mop(c, op, m, h.model);
    }
    h.mops.push_back(mop);
  }
}

}  // namespace

TxnHistory parse_txns(const CompactHistory& history, DataModel model) {
  Names names(history);
  auto ops = history.ops();
  bool any_txn = names.txn != kNoString && std::any_of(ops.begin(), ops.end(), [&](const CompactOp& op) {
                   return op.is_client() && op.f == names.txn;
                 });
  TxnHistory h;
  h.history = &history;
  h.model = model;
  h.keys = Interner(&history);
  h.values = Interner(&history);
  h.txns.reserve(ops.size() / 2 + 1);
  h.mops.reserve(ops.size() * 2);
  // List reads are packed arrays of ints, so their elements number at most the packed ints.
  if (model == DataModel::kListAppend) h.lists.reserve(history.packed_int_count());
  // Per process (numbered by `processes`), the position of its pending invocation or kNone.
  FlatIndex processes;
  std::vector<uint32_t> open;
  auto add = [&](uint32_t invoke, int64_t done, TxnStatus status) {
    // An info completion usually repeats the invocation; a null value means it said nothing.
    uint32_t source = done >= 0 && !history.is_null(ops[size_t(done)].value) ? uint32_t(done) : invoke;
    Txn t{source,
          ops[invoke].index,
          done >= 0 ? ops[size_t(done)].index : -1,
          ops[invoke].process,
          status,
          uint32_t(h.mops.size()),
          0};
    parse_mops(h, names, ops[source], status);
    t.mop_count = uint32_t(h.mops.size()) - t.mop_begin;
    h.txns.push_back(t);
  };
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const CompactOp& op = ops[i];
    if (!op.is_client() || (any_txn && op.f != names.txn)) continue;
    auto [p, added] = processes.insert(uint64_t(op.process), uint32_t(open.size()));
    if (added) open.push_back(FlatIndex::kNone);
    if (op.is_invoke()) {
      open[p] = i;
      continue;
    }
    if (open[p] == FlatIndex::kNone) continue;  // validate() rules this out; tolerate it
    TxnStatus status = op.is_ok() ? TxnStatus::kOk : op.is_fail() ? TxnStatus::kFail : TxnStatus::kInfo;
    add(open[p], i, status);
    open[p] = FlatIndex::kNone;
  }
  std::vector<uint32_t> dangling;
  for (uint32_t op : open)
    if (op != FlatIndex::kNone) dangling.push_back(op);
  std::sort(dangling.begin(), dangling.end(), [&](uint32_t a, uint32_t b) { return ops[a].index < ops[b].index; });
  for (uint32_t op : dangling) add(op, -1, TxnStatus::kInfo);
  return h;
}

std::string txn_name(size_t number) { return "T" + std::to_string(number); }

}  // namespace faultline::txn
