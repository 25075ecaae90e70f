#include "checkers/invariants/unique_ids.h"

#include <gtest/gtest.h>

#include "checkers/invariants/test_support.h"

namespace faultline::invariants {
namespace {

TEST(UniqueIds, DistinctIdsAreValid) {
  History h = edn(R"(
{:type :invoke, :f :generate, :process 0}
{:type :ok, :f :generate, :value 3, :process 0}
{:type :invoke, :f :generate, :process 0}
{:type :info, :f :generate, :process 0}
{:type :invoke, :f :generate, :process 1}
{:type :ok, :f :generate, :value 1, :process 1})");
  CheckResult r = run(*unique_ids_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_EQ(r.details["attempted-count"], 3);
  EXPECT_EQ(r.details["acknowledged-count"], 2);
  EXPECT_EQ(r.details["range"], Json::array({1, 3}));
}

TEST(UniqueIds, RepeatedIdIsInvalidWithBothOps) {
  History h = edn(R"(
{:type :invoke, :f :generate, :process 0}
{:type :ok, :f :generate, :value 7, :process 0}
{:type :invoke, :f :generate, :process 1}
{:type :ok, :f :generate, :value 8, :process 1}
{:type :invoke, :f :generate, :process 0}
{:type :ok, :f :generate, :value 7, :process 0})");
  CheckResult r = run(*unique_ids_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["duplicated"][0]["id"], 7);
  EXPECT_EQ(r.details["duplicated"][0]["indices"], Json::array({1, 5}));
  EXPECT_EQ(r.details["first-duplicate"]["op"]["index"], 5);
  EXPECT_EQ(r.details["first-duplicate"]["earlier"]["index"], 1);
}

}  // namespace
}  // namespace faultline::invariants
