#include "checkers/invariants/set.h"

#include <gtest/gtest.h>

#include "checkers/invariants/test_support.h"

namespace faultline::invariants {
namespace {

TEST(Set, JepsenHistoryIsValid) {
  CheckResult r = run(*set_checker(), jepsen_history("set.edn"));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.explanation;
  EXPECT_EQ(r.details["ok-count"], 3);
}

TEST(Set, AcknowledgedElementMissingFromFinalReadIsLost) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 1, :process 0}
{:type :ok, :f :add, :value 1, :process 0}
{:type :invoke, :f :add, :value 2, :process 0}
{:type :ok, :f :add, :value 2, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value #{2}, :process 0})");
  CheckResult r = run(*set_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["lost-count"], 1);
  EXPECT_EQ(r.details["lost"][0]["element"], 1);
  EXPECT_EQ(r.details["lost"][0]["add"]["index"], 1);
  EXPECT_EQ(r.details["final-read"]["index"], 5);
}

TEST(Set, ElementNeverAddedIsUnexpected) {
  History h = edn(R"(
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value [9], :process 0})");
  CheckResult r = run(*set_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["unexpected"], Json::array({9}));
}

TEST(Set, UncertainAddThatShowsUpIsRecovered) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 1, :process 0}
{:type :info, :f :add, :value 1, :process 0}
{:type :invoke, :f :add, :value 2, :process 1}
{:type :info, :f :add, :value 2, :process 1}
{:type :invoke, :f :read, :process 2}
{:type :ok, :f :read, :value [1], :process 2})");
  CheckResult r = run(*set_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.details["recovered"], Json::array({1}));
}

TEST(Set, NeverReadIsUnknown) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 1, :process 0}
{:type :ok, :f :add, :value 1, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :fail, :f :read, :process 0})");
  EXPECT_EQ(run(*set_checker(), h).verdict, Verdict::kUnknown);
}

TEST(Set, FinalReadThatIsNotAListIsUnknownNamingTheOp) {
  History h = edn(R"(
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value 3, :process 0})");
  CheckResult r = run(*set_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_NE(r.explanation.find("op 1"), std::string::npos) << r.explanation;
}

}  // namespace
}  // namespace faultline::invariants
