#include "checkers/kafka/kafka.h"

#include <gtest/gtest.h>

#include "checkers/registry.h"

namespace faultline {
namespace {

// A history from [type, process, f, value] rows, indexed and timed in order.
History history(const std::vector<std::tuple<std::string, int, std::string, Json>>& rows) {
  History h;
  for (const auto& [type, process, f, value] : rows) {
    Json j = {{"index", h.size()},  {"time", h.size()}, {"type", type},
              {"process", process}, {"f", f},           {"value", value}};
    h.push_back(op_from_json(j));
  }
  return h;
}

CheckResult check(const History& h) { return kafka_checker()->check(h, CheckOptions{}); }

// Two sends on k, both acknowledged, then a poll from 0 returning both.
std::vector<std::tuple<std::string, int, std::string, Json>> two_sends() {
  return {{"invoke", 0, "send", {"k", 10}},
          {"ok", 0, "send", {"k", 10, 0}},
          {"invoke", 1, "send", {"k", 11}},
          {"ok", 1, "send", {"k", 11, 1}}};
}

TEST(Kafka, SendsPolledInOrderAndCommitsKeptAreValid) {
  auto rows = two_sends();
  rows.push_back({"invoke", 0, "poll", {{"k", 0}}});
  rows.push_back({"ok", 0, "poll", {{"k", {{0, 10}, {1, 11}}}}});
  rows.push_back({"invoke", 1, "commit_offsets", {{"k", 1}}});
  rows.push_back({"ok", 1, "commit_offsets", {{"k", 1}}});
  rows.push_back({"invoke", 0, "list_committed_offsets", {"k"}});
  rows.push_back({"ok", 0, "list_committed_offsets", {{"k", 1}}});
  CheckResult r = check(history(rows));
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.explanation << r.details.dump(2);
  EXPECT_EQ(r.details["acknowledged-count"], 2);
  EXPECT_EQ(r.details["poll-count"], 1);
  EXPECT_EQ(make_checker("kafka")->name(), "kafka");
}

TEST(Kafka, AcknowledgedSendNoPollReturnsIsLost) {
  auto rows = two_sends();
  rows.push_back({"invoke", 0, "poll", {{"k", 0}}});
  rows.push_back({"ok", 0, "poll", {{"k", {{0, 10}}}}});
  CheckResult r = check(history(rows));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["lost-count"], 1);
  EXPECT_EQ(r.details["lost"][0]["msg"], 11);
  EXPECT_EQ(r.details["skipped-count"], 0);
}

TEST(Kafka, PollJumpingOverAnAcknowledgedOffsetSkipsIt) {
  auto rows = two_sends();
  rows.push_back({"invoke", 2, "send", {"k", 12}});
  rows.push_back({"ok", 2, "send", {"k", 12, 2}});
  rows.push_back({"invoke", 0, "poll", {{"k", 0}}});
  rows.push_back({"ok", 0, "poll", {{"k", {{0, 10}, {2, 12}}}}});
  CheckResult r = check(history(rows));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["skipped-count"], 1);
  EXPECT_EQ(r.details["skipped"][0]["offset"], 1);
}

TEST(Kafka, SendConcurrentWithThePollMayBeMissingFromIt) {
  History h = history({{"invoke", 0, "send", {"k", 10}},
                       {"invoke", 1, "poll", {{"k", 0}}},
                       {"ok", 0, "send", {"k", 10, 0}},
                       {"ok", 1, "poll", {{"k", Json::array()}}},
                       {"invoke", 1, "poll", {{"k", 0}}},
                       {"ok", 1, "poll", {{"k", {{0, 10}}}}}});
  EXPECT_EQ(check(h).verdict, Verdict::kValid) << check(h).explanation;
}

TEST(Kafka, OffsetsGoingBackwardsInAPollOrBetweenSendsAreInvalid) {
  auto rows = two_sends();
  rows.push_back({"invoke", 0, "poll", {{"k", 0}}});
  rows.push_back({"ok", 0, "poll", {{"k", {{1, 11}, {0, 10}}}}});
  CheckResult r = check(history(rows));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["nonmonotonic-count"], 1);

  History h = history({{"invoke", 0, "send", {"k", 10}},
                       {"ok", 0, "send", {"k", 10, 5}},
                       {"invoke", 1, "send", {"k", 11}},
                       {"ok", 1, "send", {"k", 11, 3}},
                       {"invoke", 0, "poll", {{"k", 0}}},
                       {"ok", 0, "poll", {{"k", {{3, 11}, {5, 10}}}}}});
  r = check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["backwards-count"], 1);
  EXPECT_EQ(r.details["backwards"][0]["offset"], 3);
}

TEST(Kafka, TwoMessagesAtOneOffsetAreInconsistentAndUnsentOnesUnexpected) {
  History h = history({{"invoke", 0, "send", {"k", 10}},
                       {"ok", 0, "send", {"k", 10, 0}},
                       {"invoke", 1, "send", {"k", 11}},
                       {"ok", 1, "send", {"k", 11, 0}},
                       {"invoke", 0, "poll", {{"k", 0}}},
                       {"ok", 0, "poll", {{"k", {{0, 10}, {1, 99}}}}}});
  CheckResult r = check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_GE(r.details["inconsistent-count"].get<int64_t>(), 1);
  EXPECT_EQ(r.details["unexpected-count"], 1);
  EXPECT_EQ(r.details["unexpected"][0]["msg"], 99);
}

TEST(Kafka, CommittedOffsetBelowAnAcknowledgedCommitRegressed) {
  auto rows = two_sends();
  rows.push_back({"invoke", 0, "poll", {{"k", 0}}});
  rows.push_back({"ok", 0, "poll", {{"k", {{0, 10}, {1, 11}}}}});
  rows.push_back({"invoke", 1, "commit_offsets", {{"k", 1}}});
  rows.push_back({"ok", 1, "commit_offsets", {{"k", 1}}});
  rows.push_back({"invoke", 0, "list_committed_offsets", {"k"}});
  rows.push_back({"ok", 0, "list_committed_offsets", {{"k", 0}}});
  rows.push_back({"invoke", 0, "list_committed_offsets", {"k"}});
  rows.push_back({"ok", 0, "list_committed_offsets", Json::object()});
  CheckResult r = check(history(rows));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["regressed-count"], 2);
  EXPECT_EQ(r.details["regressed"][0]["committed"], 1);
}

TEST(Kafka, NoPollIsUnknownAndOddValuesAreUnknownNotThrown) {
  EXPECT_EQ(check(history(two_sends())).verdict, Verdict::kUnknown);
  History h = history({{"invoke", 0, "send", {"k", 10}}, {"ok", 0, "send", {"k", 10, "zero"}}});
  CheckResult r = check(h);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_NE(r.explanation.find("offset"), std::string::npos) << r.explanation;
}

}  // namespace
}  // namespace faultline
