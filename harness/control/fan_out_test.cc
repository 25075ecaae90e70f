#include "harness/control/fan_out.h"

#include <gtest/gtest.h>

#include "harness/control/recording_session.h"

namespace faultline {
namespace {

TEST(FanOut, RunsOnAllNodesInParallelAndKeepsOrder) {
  std::vector<NodeSpec> nodes(5);
  for (int i = 0; i < 5; ++i) nodes[i].name = "n" + std::to_string(i + 1);
  auto start = std::chrono::steady_clock::now();
  auto outcomes = fan_out(nodes, [](const NodeSpec& node) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return node.name + "!";
  });
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  auto values = values_or_throw(std::move(outcomes));
  EXPECT_EQ(values, (std::vector<std::string>{"n1!", "n2!", "n3!", "n4!", "n5!"}));
}

TEST(FanOut, CollectsEveryErrorPerNode) {
  std::vector<std::unique_ptr<Session>> sessions;
  for (const char* name : {"a", "b", "c"}) {
    auto session = std::make_unique<RecordingSession>(name);
    if (std::string(name) != "b") session->respond("rm", ExecResult{1, "", "denied"});
    sessions.push_back(std::move(session));
  }
  auto outcomes = fan_out(sessions, [](std::unique_ptr<Session>& s) { s->check({"rm", "x"}); });
  EXPECT_TRUE(outcomes[0].error);
  EXPECT_TRUE(outcomes[1].value);
  EXPECT_EQ(outcomes[2].node, "c");
  try {
    values_or_throw(std::move(outcomes));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kRemote);
    EXPECT_EQ(std::string(e.what()), "a: `rm x` exited with 1: denied; c: `rm x` exited with 1: denied");
  }
}

}  // namespace
}  // namespace faultline
