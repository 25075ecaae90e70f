#include "checkers/invariants/bank.h"

#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "checkers/invariants/common.h"
#include "harness/core/error.h"

namespace faultline {
namespace {

struct BankOptions {
  bool negative_balances = false;
  std::optional<int64_t> total;
  std::optional<std::set<std::string>> accounts;
};

// Account ids as read keys: EDN/JSON maps key balances by text, so 0 and "0" are the same account.
std::string account_key(const Json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

BankOptions parse_options(const CheckOptions& options) {
  BankOptions o;
  o.negative_balances = invariants::bool_option(options, "negative-balances", false);
  if (invariants::find_option(options, "total")) o.total = invariants::int_option(options, "total", 0);
  if (const Json* accounts = invariants::find_option(options, "accounts")) {
    if (!accounts->is_array())
      fail(ErrorCode::kBadInput, "checker option \"accounts\" must be a list of account ids, got " + accounts->dump());
    o.accounts.emplace();
    for (const Json& id : *accounts) o.accounts->insert(account_key(id));
  }
  return o;
}

// How bad an error is, to pick the worst of a kind (Jepsen's err-badness).
double badness(const Json& error, int64_t total) {
  const std::string& type = error["type"].get_ref<const std::string&>();
  if (type == "unexpected-key") return static_cast<double>(error["unexpected"].size());
  if (type == "nil-balance") return static_cast<double>(error["nils"].size());
  if (type == "wrong-total") {
    double off = std::abs(error["total"].get<double>() - static_cast<double>(total));
    return total == 0 ? off : off / std::abs(static_cast<double>(total));
  }
  double sum = 0;
  for (const Json& n : error["negative"]) sum -= n.get<double>();
  return sum;
}

// The first thing wrong with one read, in Jepsen's order, or null when it is fine.
Json check_read(const Op& op, const BankOptions& o, int64_t total) {
  Json unexpected = Json::array(), nils = Json::array(), negative = Json::array();
  int64_t sum = 0;
  for (const auto& [account, balance] : op.value.items()) {
    if (o.accounts && !o.accounts->count(account)) unexpected.push_back(account);
    if (balance.is_null()) {
      nils.push_back(account);
      continue;
    }
    if (!balance.is_number_integer()) invariants::bad_value(op, "balance of account " + account + " is not an integer");
    sum += balance.get<int64_t>();
    if (balance.get<int64_t>() < 0) negative.push_back(balance);
  }
  Json error;
  if (!unexpected.empty())
    error = {{"type", "unexpected-key"}, {"unexpected", unexpected}};
  else if (!nils.empty())
    error = {{"type", "nil-balance"}, {"nils", nils}};
  else if (sum != total)
    error = {{"type", "wrong-total"}, {"total", sum}, {"expected", total}};
  else if (!o.negative_balances && !negative.empty())
    error = {{"type", "negative-value"}, {"negative", negative}};
  else
    return nullptr;
  error["op"] = invariants::evidence(op);
  return error;
}

std::string describe_error(const Json& e) {
  std::string where = "the read at index " + e["op"]["index"].dump();
  const std::string& type = e["type"].get_ref<const std::string&>();
  if (type == "unexpected-key") return where + " shows unknown account(s) " + e["unexpected"].dump();
  if (type == "nil-balance") return where + " has no balance for account(s) " + e["nils"].dump();
  if (type == "wrong-total") return where + " sums to " + e["total"].dump() + " instead of " + e["expected"].dump();
  return where + " shows negative balance(s) " + e["negative"].dump();
}

CheckResult judge(const History& history, const BankOptions& o) {
  std::optional<int64_t> total = o.total;
  std::string total_source = "option";
  std::map<std::string, std::vector<Json>> errors;  // by type, in history order
  int64_t read_count = 0;
  for (const Op& op : history) {
    if (op.is_nemesis() || op.f != "read" || !op.is_ok()) continue;
    if (!op.value.is_object()) invariants::bad_value(op, "a bank read needs a map of account to balance");
    ++read_count;
    if (!total) {
      int64_t sum = 0;
      for (const auto& [account, balance] : op.value.items())
        if (balance.is_number_integer()) sum += balance.get<int64_t>();
      total = sum;
      total_source = "the first ok read, at index " + std::to_string(op.index);
    }
    if (Json e = check_read(op, o, *total); !e.is_null()) errors[e["type"]].push_back(std::move(e));
  }

  CheckResult r;
  r.details = {{"read-count", read_count},
               {"negative-balances", o.negative_balances},
               {"total", total ? Json(*total) : Json(nullptr)},
               {"total-source", total_source}};
  if (!total) {
    r.verdict = Verdict::kUnknown;
    r.explanation = "no ok read, so no balance can be judged";
    return r;
  }
  Json by_type = Json::object();
  Json first;
  size_t error_count = 0;
  for (const auto& [type, list] : errors) {
    error_count += list.size();
    const Json* worst = &list.front();
    for (const Json& e : list)
      if (badness(e, *total) > badness(*worst, *total)) worst = &e;
    Json entry = {{"count", list.size()}, {"first", list.front()}, {"worst", *worst}, {"last", list.back()}};
    if (type == "wrong-total") {
      const Json *lowest = &list.front(), *highest = &list.front();
      for (const Json& e : list) {
        if (e["total"] < (*lowest)["total"]) lowest = &e;
        if (e["total"] > (*highest)["total"]) highest = &e;
      }
      entry["lowest"] = *lowest;
      entry["highest"] = *highest;
    }
    by_type[type] = std::move(entry);
    if (first.is_null() || list.front()["op"]["index"] < first["op"]["index"]) first = list.front();
  }
  r.details["error-count"] = error_count;
  r.details["errors"] = by_type;
  r.verdict = error_count == 0 ? Verdict::kValid : Verdict::kInvalid;
  if (error_count > 0) {
    r.details["first-error"] = first;
    r.explanation = std::to_string(error_count) + " of " + std::to_string(read_count) +
                    " reads break the bank (total " + std::to_string(*total) + " from " + total_source +
                    "); first: " + describe_error(first);
  }
  return r;
}

class BankChecker : public Checker {
 public:
  std::string name() const override { return "bank"; }
  CheckResult check(const HistoryView& input, const CheckOptions& options) const override {
    const History& history = input.ops();
    BankOptions o = parse_options(options);
    return invariants::unknown_on_bad_value([&] { return judge(history, o); });
  }
};

}  // namespace

std::unique_ptr<Checker> bank_checker() { return std::make_unique<BankChecker>(); }

}  // namespace faultline
