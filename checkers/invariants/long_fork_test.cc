#include "checkers/invariants/long_fork.h"

#include <gtest/gtest.h>

#include "checkers/invariants/test_support.h"
#include "harness/core/error.h"

namespace faultline::invariants {
namespace {

TEST(LongFork, JepsenHistoryIsInvalidWithGroupSizeThree) {
  CheckResult r = run(*long_fork_checker(), jepsen_history("long-fork.edn"), {{"group-size", 3}});
  EXPECT_EQ(r.verdict, Verdict::kInvalid) << r.explanation;
  EXPECT_EQ(r.details["fork-count"], 1);
  EXPECT_EQ(r.details["first-fork"]["a"]["index"], 1);
  EXPECT_EQ(r.details["first-fork"]["b"]["index"], 3);
  EXPECT_EQ(r.details["first-fork"]["a-saw-only"], 1);
  EXPECT_EQ(r.details["first-fork"]["b-saw-only"], 2);
}

TEST(LongFork, ReadsOfTheWrongGroupSizeAreUnknown) {
  CheckResult r = run(*long_fork_checker(), jepsen_history("long-fork.edn"));
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_NE(r.explanation.find("group-size"), std::string::npos) << r.explanation;
}

TEST(LongFork, OrderedReadsAreValid) {
  History h = edn(R"(
{:type :invoke, :f :txn, :value [[:w 0 1]], :process 0}
{:type :ok, :f :txn, :value [[:w 0 1]], :process 0}
{:type :invoke, :f :txn, :value [[:r 0 nil] [:r 1 nil]], :process 1}
{:type :ok, :f :txn, :value [[:r 0 nil] [:r 1 nil]], :process 1}
{:type :invoke, :f :txn, :value [[:r 1 nil] [:r 0 nil]], :process 1}
{:type :ok, :f :txn, :value [[:r 1 nil] [:r 0 1]], :process 1}
{:type :invoke, :f :txn, :value [[:w 1 1]], :process 0}
{:type :ok, :f :txn, :value [[:w 1 1]], :process 0}
{:type :invoke, :f :txn, :value [[:r 0 nil] [:r 1 nil]], :process 1}
{:type :ok, :f :txn, :value [[:r 0 1] [:r 1 1]], :process 1})");
  CheckResult r = run(*long_fork_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.explanation;
  EXPECT_EQ(r.details["reads-count"], 3);
  EXPECT_EQ(r.details["early-read-count"], 1);
  EXPECT_EQ(r.details["late-read-count"], 1);
}

TEST(LongFork, KeyWrittenTwiceIsUnknown) {
  History h = edn(R"(
{:type :invoke, :f :txn, :value [[:w 0 1]], :process 0}
{:type :ok, :f :txn, :value [[:w 0 1]], :process 0}
{:type :invoke, :f :txn, :value [[:w 0 2]], :process 0}
{:type :ok, :f :txn, :value [[:w 0 2]], :process 0})");
  CheckResult r = run(*long_fork_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_NE(r.explanation.find("already written at index 0"), std::string::npos) << r.explanation;
}

TEST(LongFork, DifferentValuesForOneKeyAreUnknown) {
  History h = edn(R"(
{:type :invoke, :f :txn, :value [[:r 0 nil] [:r 1 nil]], :process 1}
{:type :ok, :f :txn, :value [[:r 0 1] [:r 1 nil]], :process 1}
{:type :invoke, :f :txn, :value [[:r 0 nil] [:r 1 nil]], :process 1}
{:type :ok, :f :txn, :value [[:r 0 2] [:r 1 nil]], :process 1})");
  EXPECT_EQ(run(*long_fork_checker(), h).verdict, Verdict::kUnknown);
}

TEST(LongFork, GroupSizeMustBePositive) { EXPECT_THROW(run(*long_fork_checker(), {}, {{"group-size", 0}}), Error); }

}  // namespace
}  // namespace faultline::invariants
