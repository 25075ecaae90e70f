#include "checkers/invariants/broadcast.h"

#include <gtest/gtest.h>

#include "checkers/invariants/test_support.h"

namespace faultline::invariants {
namespace {

TEST(Broadcast, EveryNodeReadingEveryAckedMessageIsValid) {
  History h = edn(R"(
{:type :invoke, :f :broadcast, :value 1, :process 0, :node "n1", :time 0}
{:type :ok, :f :broadcast, :value 1, :process 0, :node "n1", :time 1000000}
{:type :invoke, :f :broadcast, :value 2, :process 1, :node "n2", :time 1000000}
{:type :info, :f :broadcast, :value 2, :process 1, :node "n2", :time 2000000}
{:type :invoke, :f :read, :process 0, :node "n1", :time 3000000}
{:type :ok, :f :read, :value [1], :process 0, :node "n1", :time 4000000}
{:type :invoke, :f :read, :process 2, :node "n2", :time 5000000}
{:type :ok, :f :read, :value [2 1], :process 2, :node "n2", :time 6000000})");
  CheckResult r = run(*broadcast_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.explanation;
  EXPECT_EQ(r.details["acknowledged-count"], 1);
  EXPECT_EQ(r.details["nodes-read"], 2);
  EXPECT_DOUBLE_EQ(r.details["stable-latencies-ms"]["1"].get<double>(), 6.0);  // n2's read at 6 ms
}

TEST(Broadcast, AckedMessageMissingOnOneNodeIsLost) {
  History h = edn(R"(
{:type :invoke, :f :broadcast, :value 1, :process 0, :node "n1", :time 0}
{:type :ok, :f :broadcast, :value 1, :process 0, :node "n1", :time 1}
{:type :invoke, :f :read, :process 0, :node "n1", :time 2}
{:type :ok, :f :read, :value [1], :process 0, :node "n1", :time 3}
{:type :invoke, :f :read, :process 1, :node "n2", :time 2}
{:type :ok, :f :read, :value [], :process 1, :node "n2", :time 3})");
  CheckResult r = run(*broadcast_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["lost"]["n2"]["messages"], Json::array({1}));
  EXPECT_FALSE(r.details["lost"].contains("n1"));
}

TEST(Broadcast, ReadOfNeverBroadcastMessageIsInvalidAndNoReadsUnknown) {
  History h = edn(R"(
{:type :invoke, :f :broadcast, :value 1, :process 0, :node "n1", :time 0}
{:type :ok, :f :broadcast, :value 1, :process 0, :node "n1", :time 1}
{:type :invoke, :f :read, :process 0, :node "n1", :time 2}
{:type :ok, :f :read, :value [1 9], :process 0, :node "n1", :time 3})");
  EXPECT_EQ(run(*broadcast_checker(), h).verdict, Verdict::kInvalid);
  History none = edn(R"(
{:type :invoke, :f :broadcast, :value 1, :process 0, :node "n1", :time 0}
{:type :ok, :f :broadcast, :value 1, :process 0, :node "n1", :time 1})");
  EXPECT_EQ(run(*broadcast_checker(), none).verdict, Verdict::kUnknown);
}

TEST(Echo, ChangedEchoIsInvalid) {
  History ok = edn(R"(
{:type :invoke, :f :echo, :value "a", :process 0}
{:type :ok, :f :echo, :value "a", :process 0})");
  EXPECT_EQ(run(*echo_checker(), ok).verdict, Verdict::kValid);
  History bad = edn(R"(
{:type :invoke, :f :echo, :value "a", :process 0}
{:type :ok, :f :echo, :value "b", :process 0})");
  EXPECT_EQ(run(*echo_checker(), bad).verdict, Verdict::kInvalid);
}

TEST(EventualCounter, FinalReadsMustCoverAckedAddsAndAllowIndeterminateOnes) {
  History h = edn(R"(
{:type :invoke, :f :add, :value 3, :process 0, :node "n1"}
{:type :ok, :f :add, :value 3, :process 0, :node "n1"}
{:type :invoke, :f :add, :value -1, :process 1, :node "n2"}
{:type :info, :f :add, :value -1, :process 1, :node "n2"}
{:type :invoke, :f :read, :process 0, :node "n1"}
{:type :ok, :f :read, :value 2, :process 0, :node "n1"}
{:type :invoke, :f :read, :process 2, :node "n2"}
{:type :ok, :f :read, :value 3, :process 2, :node "n2"})");
  EXPECT_EQ(run(*eventual_counter_checker(), h).verdict, Verdict::kValid);
  History stale = edn(R"(
{:type :invoke, :f :add, :value 3, :process 0, :node "n1"}
{:type :ok, :f :add, :value 3, :process 0, :node "n1"}
{:type :invoke, :f :read, :process 2, :node "n2"}
{:type :ok, :f :read, :value 0, :process 2, :node "n2"})");
  CheckResult r = run(*eventual_counter_checker(), stale);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["wrong"][0]["node"], "n2");
}

}  // namespace
}  // namespace faultline::invariants
