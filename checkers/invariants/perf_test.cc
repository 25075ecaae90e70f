#include "checkers/invariants/perf.h"

#include <gtest/gtest.h>

#include "checkers/invariants/test_support.h"
#include "harness/core/error.h"

namespace faultline::invariants {
namespace {

// Times in nanoseconds: reads take 10 ms and 30 ms, a write fails after 5 ms; a partition starts
// at 1.0 s and heals at 1.5 s; a kill at 2 s is never followed by a start.
constexpr const char* kRun = R"(
{:type :invoke, :f :read, :process 0, :time 100000000}
{:type :ok, :f :read, :value 1, :process 0, :time 110000000}
{:type :invoke, :f :start-partition, :process :nemesis, :time 1000000000}
{:type :info, :f :start-partition, :value {"n1" ["n2"]}, :process :nemesis, :time 1020000000}
{:type :invoke, :f :read, :process 0, :time 1100000000}
{:type :ok, :f :read, :value 1, :process 0, :time 1130000000}
{:type :invoke, :f :write, :value 2, :process 1, :time 1200000000}
{:type :fail, :f :write, :value 2, :process 1, :time 1205000000}
{:type :invoke, :f :stop-partition, :process :nemesis, :time 1490000000}
{:type :info, :f :stop-partition, :process :nemesis, :time 1500000000}
{:type :info, :f :kill, :value ["n3"], :process :nemesis, :time 2000000000}
{:type :invoke, :f :read, :process 2, :time 2100000000})";

TEST(Perf, LatencyQuantilesPerFAndType) {
  CheckResult r = run(*perf_checker(), edn(kRun));
  EXPECT_EQ(r.verdict, Verdict::kValid);
  const Json& read = r.details["latency"]["read"]["ok"];
  EXPECT_EQ(read["count"], 2);
  EXPECT_DOUBLE_EQ(read["mean-ms"].get<double>(), 20);
  EXPECT_DOUBLE_EQ(read["quantiles-ms"]["0"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(read["quantiles-ms"]["1"].get<double>(), 30);
  EXPECT_DOUBLE_EQ(r.details["latency"]["write"]["fail"]["quantiles-ms"]["0.5"].get<double>(), 5);
  EXPECT_EQ(r.details["unfinished-count"], 1);
}

TEST(Perf, ThroughputPerBucket) {
  CheckResult r = run(*perf_checker(), edn(kRun), {{"bucket-ms", 500}});
  EXPECT_EQ(r.details["bucket-count"], 5);
  EXPECT_EQ(r.details["throughput"]["read"]["ok"], Json::array({2.0, 0.0, 2.0, 0.0, 0.0}));
  const Json& over_time = r.details["latency-over-time"]["read"];
  ASSERT_EQ(over_time.size(), 2u);
  EXPECT_DOUBLE_EQ(over_time[1]["t-ms"].get<double>(), 1000);
  EXPECT_DOUBLE_EQ(over_time[1]["0.99"].get<double>(), 30);
}

TEST(Perf, FaultWindowsFromNemesisOps) {
  CheckResult r = run(*perf_checker(), edn(kRun));
  const Json& faults = r.details["faults"];
  ASSERT_EQ(faults.size(), 2u);
  EXPECT_EQ(faults[0]["fault"], "partition");
  EXPECT_EQ(faults[0]["start-ns"], 1000000000);
  EXPECT_EQ(faults[0]["end-ns"], 1500000000);
  EXPECT_EQ(faults[0]["value"], Json({{"n1", {"n2"}}}));
  EXPECT_EQ(faults[0]["healed"], true);
  EXPECT_EQ(faults[1]["fault"], "kill");
  EXPECT_EQ(faults[1]["healed"], false);
  EXPECT_EQ(faults[1]["end-ns"], 2100000000);
  EXPECT_EQ(r.details["nemesis-ops"].size(), 3u);
}

TEST(Perf, JepsenPauseResumeRecordedAsCompletionsOnly) {
  CheckResult r = run(*perf_checker(), jepsen_history("bank.edn"));
  const Json& faults = r.details["faults"];
  ASSERT_FALSE(faults.empty());
  EXPECT_EQ(faults[0]["fault"], "pause");
  EXPECT_EQ(faults[0]["start-index"], 65);
  EXPECT_EQ(faults[0]["stop-f"], "resume");
}

TEST(Perf, KillThenStartIsOneWindow) {
  History h = edn(R"(
{:type :info, :f :kill, :process :nemesis, :time 10}
{:type :info, :f :start, :process :nemesis, :time 20})");
  CheckResult r = run(*perf_checker(), h);
  const Json& faults = r.details["faults"];
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(faults[0]["fault"], "kill");
  EXPECT_EQ(faults[0]["stop-f"], "start");
}

TEST(Perf, BadBucketOptionThrows) {
  EXPECT_THROW(run(*perf_checker(), edn(kRun), {{"bucket-ms", 0}}), Error);
  EXPECT_THROW(run(*perf_checker(), edn(kRun), {{"bucket-ms", 0.001}}), Error);  // too many buckets
}

}  // namespace
}  // namespace faultline::invariants
