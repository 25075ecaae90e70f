#include "checkers/invariants/queue.h"

#include <gtest/gtest.h>

#include "checkers/invariants/test_support.h"

namespace faultline::invariants {
namespace {

constexpr const char* kHealthy = R"(
{:type :invoke, :f :enqueue, :value 1, :process 0}
{:type :ok, :f :enqueue, :value 1, :process 0}
{:type :invoke, :f :enqueue, :value 2, :process 0}
{:type :info, :f :enqueue, :value 2, :process 0}
{:type :invoke, :f :dequeue, :process 1}
{:type :ok, :f :dequeue, :value 2, :process 1}
{:type :invoke, :f :dequeue, :process 1}
{:type :ok, :f :dequeue, :value nil, :process 1}
{:type :invoke, :f :drain, :process 1}
{:type :ok, :f :drain, :value [1], :process 1})";

TEST(Queue, HealthyHistoryIsValidForBoth) {
  EXPECT_EQ(run(*queue_checker(), edn(kHealthy)).verdict, Verdict::kValid);
  CheckResult r = run(*total_queue_checker(), edn(kHealthy));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.explanation;
  EXPECT_EQ(r.details["recovered"], Json::array({2}));
  EXPECT_EQ(r.details["dequeue-count"], 2);
}

TEST(Queue, DequeueOfElementNeverEnqueued) {
  History h = edn(R"(
{:type :invoke, :f :dequeue, :process 1}
{:type :ok, :f :dequeue, :value 5, :process 1})");
  CheckResult r = run(*queue_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["first-error"]["kind"], "never-enqueued");
  EXPECT_EQ(r.details["first-error"]["op"]["index"], 1);
  CheckResult total = run(*total_queue_checker(), h);
  EXPECT_EQ(total.verdict, Verdict::kInvalid);
  EXPECT_EQ(total.details["unexpected"][0]["dequeues"][0]["index"], 1);
}

TEST(Queue, FailedEnqueueCannotBeDequeued) {
  History h = edn(R"(
{:type :invoke, :f :enqueue, :value 1, :process 0}
{:type :fail, :f :enqueue, :value 1, :process 0}
{:type :invoke, :f :dequeue, :process 1}
{:type :ok, :f :dequeue, :value 1, :process 1})");
  CheckResult r = run(*queue_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["first-error"]["kind"], "never-enqueued");
}

constexpr const char* kTwice = R"(
{:type :invoke, :f :enqueue, :value 1, :process 0}
{:type :ok, :f :enqueue, :value 1, :process 0}
{:type :invoke, :f :dequeue, :process 1}
{:type :ok, :f :dequeue, :value 1, :process 1}
{:type :invoke, :f :drain, :process 1}
{:type :ok, :f :drain, :value [1], :process 1})";

TEST(Queue, SameElementDequeuedTwice) {
  CheckResult r = run(*queue_checker(), edn(kTwice));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["first-error"]["kind"], "already-dequeued");
  EXPECT_EQ(r.details["first-error"]["op"]["index"], 5);

  CheckResult total = run(*total_queue_checker(), edn(kTwice));
  EXPECT_EQ(total.verdict, Verdict::kInvalid);
  EXPECT_EQ(total.details["duplicated"][0]["dequeues"].size(), 2u);
  EXPECT_NE(total.explanation.find("indices 3, 5"), std::string::npos) << total.explanation;
  EXPECT_EQ(run(*total_queue_checker(), edn(kTwice), {{"allow-duplicates", true}}).verdict, Verdict::kValid);
}

TEST(TotalQueue, AcknowledgedEnqueueNeverDequeuedIsLost) {
  History h = edn(R"(
{:type :invoke, :f :enqueue, :value 1, :process 0}
{:type :ok, :f :enqueue, :value 1, :process 0}
{:type :invoke, :f :drain, :process 1}
{:type :ok, :f :drain, :value [], :process 1})");
  CheckResult r = run(*total_queue_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["lost"][0]["element"], 1);
  EXPECT_EQ(r.details["lost"][0]["enqueues"][0]["index"], 1);
}

TEST(TotalQueue, LostAfterACrashedDrainIsUnknown) {
  History h = edn(R"(
{:type :invoke, :f :enqueue, :value 1, :process 0}
{:type :ok, :f :enqueue, :value 1, :process 0}
{:type :invoke, :f :drain, :process 1}
{:type :info, :f :drain, :process 1})");
  CheckResult r = run(*total_queue_checker(), h);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.details["crashed-drains"][0]["index"], 3);
}

}  // namespace
}  // namespace faultline::invariants
