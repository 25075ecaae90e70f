#include "harness/run/interpreter.h"

#include <gtest/gtest.h>

#include <thread>

#include "harness/core/history.h"

namespace faultline {
namespace {

// A client whose behaviour per op is scripted by f: "ok", "fail", "info", "throw", "hang".
class ScriptedClient : public Client {
 public:
  Op invoke(const Op& op) override {
    if (op.f == "throw") throw std::runtime_error("connection reset");
    if (op.f == "hang") std::this_thread::sleep_for(std::chrono::milliseconds(300));
    if (op.f == "fail") return complete(op, OpType::kFail, op.value);
    if (op.f == "info") return complete(op, OpType::kInfo, op.value);
    return complete(op, OpType::kOk, op.value);
  }
};

struct Recorder {
  std::mutex mu;
  History ops;
};

History run_gen(const Gen& g, int concurrency, int64_t timeout = 10 * kSecond,
                const std::atomic<bool>* stop = nullptr) {
  auto rec = std::make_shared<Recorder>();
  InterpreterOptions o;
  o.concurrency = concurrency;
  o.make_client = [] { return std::make_unique<ScriptedClient>(); };
  o.op_timeout = timeout;
  o.observe = [rec](const Op& op) {
    std::lock_guard lock(rec->mu);
    rec->ops.push_back(op);
  };
  {
    Interpreter in(std::move(o));
    in.run(g, stop);
  }
  return rec->ops;
}

TEST(Interpreter, RecordsInvocationsAndCompletionsWithDenseIndex) {
  History h = run_gen(clients(limit(100, repeat(-1, once_op("ok")))), 4);
  ASSERT_EQ(h.size(), 200u);
  for (size_t i = 0; i < h.size(); ++i) EXPECT_EQ(h[i].index, static_cast<int64_t>(i));
  EXPECT_NO_THROW(validate(h, "interpreter"));
  for (size_t i = 1; i < h.size(); ++i) EXPECT_GE(h[i].time, h[i - 1].time);
}

TEST(Interpreter, ExceptionsBecomeInfoAndTheWorkerGetsANewProcess) {
  History h = run_gen(clients(limit(3, repeat(-1, once_op("throw")))), 1);
  ASSERT_EQ(h.size(), 6u);
  EXPECT_TRUE(h[1].is_info());
  EXPECT_EQ(h[1].error, "connection reset");
  EXPECT_EQ(h[0].process, 0);
  EXPECT_EQ(h[2].process, 1);
  EXPECT_EQ(h[4].process, 2);
  EXPECT_NO_THROW(validate(h, "interpreter"));
}

TEST(Interpreter, FailKeepsTheProcess) {
  History h = run_gen(clients(limit(2, repeat(-1, once_op("fail")))), 1);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[2].process, 0);
}

TEST(Interpreter, HungClientTimesOutAsInfoAndTheRunGoesOn) {
  History h = run_gen(clients(then(once_op("hang"), limit(3, repeat(-1, once_op("ok"))))), 1, 50'000'000 /* 50 ms */);
  ASSERT_EQ(h.size(), 8u);
  EXPECT_TRUE(h[1].is_info());
  EXPECT_NE(h[1].error.get<std::string>().find("timed out"), std::string::npos);
  EXPECT_EQ(h[2].process, 1);
  EXPECT_NO_THROW(validate(h, "interpreter"));
}

TEST(Interpreter, NemesisOpsCompleteAsInfo) {
  History h = run_gen(nemesis(once_op("start-partition")), 2);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_TRUE(h[1].is_nemesis());
  EXPECT_TRUE(h[1].is_info());
}

TEST(Interpreter, StopEndsTheMainPhaseAndAFinalPhaseStillRuns) {
  std::atomic<bool> stop{false};
  auto rec = std::make_shared<Recorder>();
  InterpreterOptions o;
  o.concurrency = 2;
  o.make_client = [] { return std::make_unique<ScriptedClient>(); };
  o.observe = [rec, &stop](const Op& op) {
    std::lock_guard lock(rec->mu);
    rec->ops.push_back(op);
    if (rec->ops.size() == 50) stop = true;  // "Ctrl-C" in the middle of the run
  };
  Interpreter in(std::move(o));
  in.run(clients(repeat(-1, once_op("ok"))), &stop);
  size_t main_phase = rec->ops.size();
  EXPECT_LT(main_phase, 60u);
  in.run(clients(once_op("final-read")), nullptr);
  ASSERT_EQ(rec->ops.back().f, "final-read");
  EXPECT_NO_THROW(validate(rec->ops, "interpreter"));
}

}  // namespace
}  // namespace faultline
