#include "checkers/txn/txns.h"

#include <algorithm>

#include "harness/core/error.h"

namespace faultline::txn {

uint32_t Interner::id(const Json& value) {
  if (value.is_number_integer()) {
    auto [it, added] = ints_.try_emplace(value.get<int64_t>(), uint32_t(values_.size()));
    if (added) values_.push_back(value);
    return it->second;
  }
  if (value.is_null()) return kInit;
  auto [it, added] = others_.try_emplace(value.dump(), uint32_t(values_.size()));
  if (added) values_.push_back(value);
  return it->second;
}

namespace {

[[noreturn]] void bad_mop(const Op& op, const Json& mop, DataModel model) {
  std::string expected = model == DataModel::kListAppend ? "[\"append\", key, value] or [\"r\", key, [values] or null]"
                                                         : "[\"w\", key, value] or [\"r\", key, value or null]";
  fail(ErrorCode::kBadInput,
       "op " + std::to_string(op.index) + ": micro-op " + mop.dump() + " is not " + expected + "; is --model right?");
}

void parse_mops(TxnHistory& h, const Op& op, TxnStatus status) {
  const Json& value = op.value;
  if (!value.is_array())
    fail(ErrorCode::kBadInput,
         "op " + std::to_string(op.index) + ": a txn's value must be a list of micro-ops, got " + value.dump());
  for (const Json& m : value) {
    if (!m.is_array() || m.size() != 3 || !m[0].is_string()) bad_mop(op, m, h.model);
    const std::string& f = m[0].get_ref<const std::string&>();
    Mop mop{MopKind::kRead};
    mop.key = h.keys.id(m[1]);
    bool lists = h.model == DataModel::kListAppend;
    if (f == "r") {
      mop.unobserved = status != TxnStatus::kOk && m[2].is_null();
      if (lists && !m[2].is_null()) {
        if (!m[2].is_array()) bad_mop(op, m, h.model);
        mop.list_begin = uint32_t(h.lists.size());
        mop.list_len = uint32_t(m[2].size());
        for (const Json& e : m[2]) h.lists.push_back(h.values.id(e));
      } else if (!lists) {
        mop.value = h.values.id(m[2]);
      }
    } else if (f == (lists ? "append" : "w")) {
      mop.kind = lists ? MopKind::kAppend : MopKind::kWrite;
      if (m[2].is_null()) bad_mop(op, m, h.model);
      mop.value = h.values.id(m[2]);
    } else {
      bad_mop(op, m, h.model);
    }
    h.mops.push_back(mop);
  }
}

}  // namespace

TxnHistory parse_txns(const History& history, DataModel model) {
  bool any_txn =
      std::any_of(history.begin(), history.end(), [](const Op& op) { return op.is_client() && op.f == "txn"; });
  TxnHistory h;
  h.model = model;
  h.txns.reserve(history.size() / 2 + 1);
  h.mops.reserve(history.size() * 2);
  std::unordered_map<int64_t, const Op*> open;  // process -> its pending invocation
  auto add = [&](const Op& invoke, const Op* done, TxnStatus status) {
    // An info completion usually repeats the invocation; a null value means it said nothing.
    const Op& source = done && !done->value.is_null() ? *done : invoke;
    Txn t{&source, invoke.index, done ? done->index : -1, invoke.process, status, uint32_t(h.mops.size()), 0};
    parse_mops(h, source, status);
    t.mop_count = uint32_t(h.mops.size()) - t.mop_begin;
    h.txns.push_back(t);
  };
  for (const Op& op : history) {
    if (!op.is_client() || (any_txn && op.f != "txn")) continue;
    if (op.is_invoke()) {
      open[op.process] = &op;
      continue;
    }
    auto it = open.find(op.process);
    if (it == open.end()) continue;  // validate() rules this out; tolerate it
    TxnStatus status = op.is_ok() ? TxnStatus::kOk : op.is_fail() ? TxnStatus::kFail : TxnStatus::kInfo;
    add(*it->second, &op, status);
    open.erase(it);
  }
  std::vector<const Op*> dangling;
  for (const auto& [process, op] : open) dangling.push_back(op);
  std::sort(dangling.begin(), dangling.end(), [](const Op* a, const Op* b) { return a->index < b->index; });
  for (const Op* op : dangling) add(*op, nullptr, TxnStatus::kInfo);
  return h;
}

std::string txn_name(size_t number) { return "T" + std::to_string(number); }

}  // namespace faultline::txn
