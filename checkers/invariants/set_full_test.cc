#include "checkers/invariants/set_full.h"

#include <gtest/gtest.h>

#include "checkers/invariants/test_support.h"
#include "harness/core/error.h"

namespace faultline::invariants {
namespace {

TEST(SetFull, JepsenHistoryIsInvalid) {
  CheckResult r = run(*set_full_checker(), jepsen_history("set_full.edn"));
  EXPECT_EQ(r.verdict, Verdict::kInvalid) << r.explanation;
  EXPECT_GT(r.details["lost-count"].get<int64_t>(), 0);
}

TEST(SetFull, ElementMissedByALaterReadIsLost) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 1, :process 0, :time 0}
{:type :ok, :f :add, :value 1, :process 0, :time 1000000}
{:type :invoke, :f :read, :process 1, :time 2000000}
{:type :ok, :f :read, :value [1], :process 1, :time 3000000}
{:type :invoke, :f :read, :process 1, :time 4000000}
{:type :ok, :f :read, :value [], :process 1, :time 5000000})");
  CheckResult r = run(*set_full_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  ASSERT_EQ(r.details["lost-count"], 1);
  const Json& lost = r.details["lost"][0];
  EXPECT_EQ(lost["element"], 1);
  EXPECT_EQ(lost["known"]["index"], 1);
  EXPECT_EQ(lost["last-present"]["index"], 2);
  EXPECT_EQ(lost["last-absent"]["index"], 4);
  EXPECT_EQ(lost["lost-latency-ms"], 1);
}

TEST(SetFull, ReadConcurrentWithTheAddMayMissIt) {
  History h = edn(R"(
{:type :invoke, :f :read, :process 1}
{:type :invoke, :f :add, :value 1, :process 0}
{:type :ok, :f :add, :value 1, :process 0}
{:type :ok, :f :read, :value [], :process 1}
{:type :invoke, :f :read, :process 1}
{:type :ok, :f :read, :value [1], :process 1})");
  CheckResult r = run(*set_full_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.explanation;
  EXPECT_EQ(r.details["stable-count"], 1);
  EXPECT_EQ(r.details["stale-count"], 0);
}

History stale_history() {
  return edn(R"(
{:type :invoke, :f :add, :value 1, :process 0, :time 0}
{:type :ok, :f :add, :value 1, :process 0, :time 1000000}
{:type :invoke, :f :read, :process 1, :time 5000000}
{:type :ok, :f :read, :value [], :process 1, :time 6000000}
{:type :invoke, :f :read, :process 1, :time 7000000}
{:type :ok, :f :read, :value [1], :process 1, :time 8000000})");
}

TEST(SetFull, StaleElementIsValidUnlessLinearizable) {
  CheckResult r = run(*set_full_checker(), stale_history());
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.explanation;
  EXPECT_EQ(r.details["stale"], Json::array({1}));
  EXPECT_EQ(r.details["worst-stale"][0]["stable-latency-ms"], 4);
  EXPECT_EQ(r.details["worst-stale"][0]["last-absent"]["index"], 2);

  r = run(*set_full_checker(), stale_history(), {{"linearizable", true}});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_NE(r.explanation.find("stale"), std::string::npos) << r.explanation;
}

TEST(SetFull, DuplicateInOneReadIsInvalid) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 1, :process 0}
{:type :ok, :f :add, :value 1, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value [1 1], :process 0})");
  CheckResult r = run(*set_full_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["duplicated"][0]["max-count"], 2);
}

TEST(SetFull, ElementNeverAddedIsUnexpected) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 1, :process 0}
{:type :ok, :f :add, :value 1, :process 0}
{:type :invoke, :f :read, :process 0}
{:type :ok, :f :read, :value [1 7], :process 0})");
  CheckResult r = run(*set_full_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["unexpected"][0]["element"], 7);
  EXPECT_EQ(r.details["unexpected"][0]["read"]["index"], 3);
}

TEST(SetFull, NothingStableIsUnknown) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 1, :process 0}
{:type :ok, :f :add, :value 1, :process 0})");
  CheckResult r = run(*set_full_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.details["never-read"], Json::array({1}));
}

TEST(SetFull, WrongOptionTypeThrows) { EXPECT_THROW(run(*set_full_checker(), {}, {{"linearizable", "yes"}}), Error); }

}  // namespace
}  // namespace faultline::invariants
