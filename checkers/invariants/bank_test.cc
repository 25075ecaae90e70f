#include "checkers/invariants/bank.h"

#include <gtest/gtest.h>

#include "checkers/invariants/test_support.h"
#include "harness/core/error.h"

namespace faultline::invariants {
namespace {

TEST(Bank, JepsenValidHistories) {
  for (const char* name : {"bank.edn", "bank.json"}) {
    CheckResult r = run(*bank_checker(), jepsen_history(name));
    EXPECT_EQ(r.verdict, Verdict::kValid) << name << ": " << r.explanation;
    EXPECT_EQ(r.details["total"], 100) << name;
  }
  CheckResult r = run(*bank_checker(), jepsen_history("bank-neg.edn"), {{"negative-balances", true}});
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.explanation;
}

TEST(Bank, JepsenInvalidHistories) {
  CheckResult tidb = run(*bank_checker(), jepsen_history("bank-tidb.edn"));
  EXPECT_EQ(tidb.verdict, Verdict::kInvalid);
  EXPECT_TRUE(tidb.details["errors"].contains("wrong-total")) << tidb.details["errors"].dump();

  CheckResult negative = run(*bank_checker(), jepsen_history("bank-negative-balances.json"));
  EXPECT_EQ(negative.verdict, Verdict::kInvalid);
  EXPECT_EQ(negative.details["first-error"]["type"], "negative-value");
  EXPECT_EQ(negative.details["first-error"]["op"]["index"], 3);
  // The same reads keep their total, so they pass once negative balances are allowed.
  EXPECT_EQ(run(*bank_checker(), jepsen_history("bank-negative-balances.json"), {{"negative-balances", true}}).verdict,
            Verdict::kValid);
}

constexpr const char* kWrongTotal = R"(
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value {0 5, 1 5}, :process 0}
{:type :invoke, :f :transfer, :value {:from 0, :to 1, :amount 2}, :process 0}
{:type :ok, :f :transfer, :value {:from 0, :to 1, :amount 2}, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value {0 3, 1 9}, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value {0 3, 1 8}, :process 0})";

TEST(Bank, WrongTotalNamesTheReadsAgainstTheInferredTotal) {
  CheckResult r = run(*bank_checker(), edn(kWrongTotal));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["total"], 10);
  EXPECT_EQ(r.details["total-source"], "the first ok read, at index 1");
  const Json& wrong = r.details["errors"]["wrong-total"];
  EXPECT_EQ(wrong["count"], 2);
  EXPECT_EQ(wrong["first"]["op"]["index"], 5);
  EXPECT_EQ(wrong["worst"]["op"]["index"], 5);
  EXPECT_EQ(wrong["highest"]["total"], 12);
  EXPECT_EQ(wrong["lowest"]["total"], 11);
  EXPECT_NE(r.explanation.find("index 5 sums to 12 instead of 10"), std::string::npos) << r.explanation;
}

TEST(Bank, TotalOptionOverridesTheFirstRead) {
  History h = edn(R"(
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value {0 5, 1 4}, :process 0})");
  EXPECT_EQ(run(*bank_checker(), h).verdict, Verdict::kValid);
  CheckResult r = run(*bank_checker(), h, {{"total", 10}});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["first-error"]["op"]["index"], 1);
}

TEST(Bank, NilBalanceAndUnknownAccount) {
  History h = edn(R"(
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value {0 10, 1 0}, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value {0 10, 1 nil}, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value {0 10, 7 0}, :process 0})");
  CheckResult r = run(*bank_checker(), h, {{"accounts", {0, 1}}});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["errors"]["nil-balance"]["first"]["nils"], Json::array({"1"}));
  EXPECT_EQ(r.details["errors"]["unexpected-key"]["first"]["op"]["index"], 5);
  EXPECT_EQ(r.details["first-error"]["type"], "nil-balance");
  // Without the accounts option any account is accepted.
  EXPECT_FALSE(run(*bank_checker(), h).details["errors"].contains("unexpected-key"));
}

TEST(Bank, NonIntegerBalanceIsUnknown) {
  History h = edn(R"(
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value {0 "ten"}, :process 0})");
  CheckResult r = run(*bank_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_NE(r.explanation.find("account 0"), std::string::npos) << r.explanation;
}

TEST(Bank, NoReadIsUnknownAndBadOptionsThrow) {
  EXPECT_EQ(run(*bank_checker(), {}).verdict, Verdict::kUnknown);
  EXPECT_THROW(run(*bank_checker(), {}, {{"negative-balances", 1}}), Error);
  EXPECT_THROW(run(*bank_checker(), {}, {{"accounts", 3}}), Error);
}

}  // namespace
}  // namespace faultline::invariants
