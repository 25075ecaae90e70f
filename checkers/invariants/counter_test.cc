#include "checkers/invariants/counter.h"

#include <gtest/gtest.h>

#include "checkers/invariants/test_support.h"

namespace faultline::invariants {
namespace {

TEST(Counter, JepsenHistoryIsValid) {
  CheckResult r = run(*counter_checker(), jepsen_history("counter.edn"));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.explanation;
  EXPECT_EQ(r.details["error-count"], 0);
}

TEST(Counter, ConcurrentAndUncertainAddsWidenTheBounds) {
  // The read overlaps an add that completes later and follows an info add: 0..6 are all fine.
  for (int seen : {0, 1, 5, 6}) {
    History h = edn(R"(
{:type :invoke, :f :add, :value 5, :process 0}
{:type :info, :f :add, :value 5, :process 0}
{:type :invoke, :f :read, :process 1}
{:type :invoke, :f :add, :value 1, :process 2}
{:type :ok, :f :read, :value )" +
                    std::to_string(seen) + R"(, :process 1}
{:type :ok, :f :add, :value 1, :process 2})");
    EXPECT_EQ(run(*counter_checker(), h).verdict, Verdict::kValid) << seen;
  }
}

TEST(Counter, ReadAboveEveryPossibleAddIsInvalid) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 2, :process 0}
{:type :ok, :f :add, :value 2, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value 3, :process 0})");
  CheckResult r = run(*counter_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["first-error"]["op"]["index"], 3);
  EXPECT_EQ(r.details["first-error"]["lower"], 2);
  EXPECT_EQ(r.details["first-error"]["upper"], 2);
  EXPECT_NE(r.explanation.find("index 3"), std::string::npos) << r.explanation;
}

TEST(Counter, ReadMissingAnAcknowledgedAddIsInvalid) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 1, :process 0}
{:type :ok, :f :add, :value 1, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value 0, :process 0})");
  EXPECT_EQ(run(*counter_checker(), h).verdict, Verdict::kInvalid);
}

TEST(Counter, FailedAddNeverCountsAndWorstErrorIsTheFurthest) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 4, :process 0}
{:type :fail, :f :add, :value 4, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value 1, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value 4, :process 0})");
  CheckResult r = run(*counter_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["error-count"], 2);
  EXPECT_EQ(r.details["first-error"]["op"]["index"], 3);
  EXPECT_EQ(r.details["worst-error"]["op"]["index"], 5);
}

TEST(Counter, NegativeAddsLowerTheLowerBound) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 3, :process 0}
{:type :ok, :f :add, :value 3, :process 0}
{:type :invoke, :f :add, :value -2, :process 0}
{:type :info, :f :add, :value -2, :process 0}
{:type :invoke, :f :read, :process 1}
{:type :ok, :f :read, :value 1, :process 1}
{:type :invoke, :f :read, :process 1}
{:type :ok, :f :read, :value 0, :process 1})");
  CheckResult r = run(*counter_checker(), h);
  EXPECT_EQ(r.details["error-count"], 1);
  EXPECT_EQ(r.details["first-error"]["op"]["index"], 7);
  EXPECT_EQ(r.details["first-error"]["lower"], 1);
  EXPECT_EQ(r.details["first-error"]["upper"], 3);
}

TEST(Counter, NonIntegerReadIsUnknownNamingTheOp) {
  History h = edn(R"(
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value "x", :process 0})");
  CheckResult r = run(*counter_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_NE(r.explanation.find("op 1"), std::string::npos) << r.explanation;
}

}  // namespace
}  // namespace faultline::invariants
