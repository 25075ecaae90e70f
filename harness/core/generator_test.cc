#include "harness/core/generator.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

// Drives a generator by hand: every op completes ok at once unless told otherwise, time advances
// only when a generator asks to wait.
struct Sim {
  int clients = 2;
  std::vector<int64_t> process_of;
  std::vector<bool> busy;
  Rng rng{1};
  int64_t time = 0;

  explicit Sim(int n = 2) : clients(n), process_of(static_cast<size_t>(n)), busy(static_cast<size_t>(n) + 1) {
    for (int i = 0; i < n; ++i) process_of[static_cast<size_t>(i)] = i;
  }
  Context ctx() {
    Context c;
    c.time = time;
    c.clients = clients;
    c.process_of = &process_of;
    c.rng = &rng;
    for (int t = 0; t <= clients; ++t) {
      c.threads.push_back(t);
      if (!busy[static_cast<size_t>(t)]) c.free.push_back(t);
    }
    return c;
  }
  // Runs to exhaustion (or max ops), completing each op immediately with `type`.
  std::vector<Op> run(const Gen& g, int max = 1000, OpType type = OpType::kOk) {
    std::vector<Op> ops;
    for (int guard = 0; guard < 100000 && static_cast<int>(ops.size()) < max; ++guard) {
      Next n = g->next(ctx());
      if (n.is_exhausted()) break;
      if (n.is_pending()) {
        time = n.wake == INT64_MAX ? time + kSecond / 100 : std::max(time + 1, n.wake);
        continue;
      }
      time = std::max(time, n.op.time);
      ops.push_back(n.op);
      g->update(ctx(), n.op);
      Op done = n.op;
      done.type = type;
      g->update(ctx(), done);
      if (type == OpType::kInfo && done.is_client()) process_of[static_cast<size_t>(done.process % clients)] += clients;
    }
    return ops;
  }
};

std::vector<std::string> fs_of(const std::vector<Op>& ops) {
  std::vector<std::string> out;
  for (const auto& o : ops) out.push_back(o.f);
  return out;
}

TEST(Generator, OnceAndLimitAndRepeat) {
  Sim s;
  EXPECT_EQ(s.run(once_op("a")).size(), 1u);
  EXPECT_EQ(s.run(limit(3, repeat(-1, once_op("r")))).size(), 3u);
  EXPECT_EQ(s.run(repeat(4, once_op("r"))).size(), 4u);
}

TEST(Generator, FnStopsWhenItReturnsNothing) {
  Sim s;
  int calls = 0;
  auto g = fn([&](const Context&) -> std::optional<Op> {
    if (calls++ == 5) return std::nullopt;
    Op o;
    o.f = "x";
    return o;
  });
  EXPECT_EQ(s.run(g).size(), 5u);
}

TEST(Generator, MixIsDeterministicForASeed) {
  auto make = [] { return limit(50, mix({repeat(-1, once_op("a")), repeat(-1, once_op("b"))})); };
  Sim s1, s2;
  auto a = fs_of(s1.run(make()));
  auto b = fs_of(s2.run(make()));
  EXPECT_EQ(a, b);
  EXPECT_NE(std::count(a.begin(), a.end(), "a"), 0);
  EXPECT_NE(std::count(a.begin(), a.end(), "b"), 0);
}

TEST(Generator, CycleRestartsAFreshGenerator) {
  Sim s;
  EXPECT_EQ(fs_of(s.run(cycle([] { return then(once_op("a"), once_op("b")); }, 2))),
            (std::vector<std::string>{"a", "b", "a", "b"}));
}

TEST(Generator, TimeLimitStaggerAndDelay) {
  Sim s;
  auto ops = s.run(time_limit(seconds(1), delay(seconds(0.1), repeat(-1, once_op("x")))));
  EXPECT_EQ(ops.size(), 10u);
  for (size_t i = 1; i < ops.size(); ++i) EXPECT_EQ(ops[i].time - ops[i - 1].time, seconds(0.1));
  Sim t;
  auto staggered = t.run(time_limit(seconds(10), stagger(seconds(0.1), repeat(-1, once_op("x")))));
  EXPECT_GT(staggered.size(), 70u);
  EXPECT_LT(staggered.size(), 130u);
}

TEST(Generator, SleepWaitsThenEnds) {
  Sim s;
  auto ops = s.run(then(sleep_for(seconds(2)), once_op("after")));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_GE(ops[0].time, seconds(2));
}

TEST(Generator, PhasesWaitForIdleThreads) {
  Sim s;
  auto g = clients(phases({once_op("a"), once_op("b")}));
  Next first = g->next(s.ctx());
  ASSERT_TRUE(first.is_op());
  int thread = static_cast<int>(first.op.process);
  s.busy[static_cast<size_t>(thread)] = true;  // a is still running
  g->update(s.ctx(), first.op);
  EXPECT_TRUE(g->next(s.ctx()).is_pending());
  s.busy[static_cast<size_t>(thread)] = false;
  Next second = g->next(s.ctx());
  ASSERT_TRUE(second.is_op());
  EXPECT_EQ(second.op.f, "b");
}

TEST(Generator, ClientsAndNemesisRouting) {
  Sim s;
  for (const Op& op : s.run(limit(20, clients(repeat(-1, once_op("c")))))) EXPECT_TRUE(op.is_client());
  for (const Op& op : s.run(limit(5, nemesis(repeat(-1, once_op("n")))))) EXPECT_TRUE(op.is_nemesis());
}

TEST(Generator, AnyTakesTheSoonestAndKeepsTheOther) {
  Sim s;
  auto g =
      any({clients(delay(seconds(1), repeat(3, once_op("c")))), nemesis(then(sleep_for(seconds(1.5)), once_op("n")))});
  auto ops = fs_of(s.run(g));
  EXPECT_EQ(ops, (std::vector<std::string>{"c", "c", "n", "c"}));
}

TEST(Generator, EachThreadGivesEveryThreadItsOwnCopy) {
  Sim s(3);
  auto ops = s.run(clients(each_thread([] { return once_op("x"); })));
  ASSERT_EQ(ops.size(), 3u);
  std::set<int64_t> processes;
  for (const auto& o : ops) processes.insert(o.process);
  EXPECT_EQ(processes.size(), 3u);
}

TEST(Generator, ReserveSplitsThreads) {
  Sim s(3);
  auto ops = s.run(limit(30, clients(reserve({{1, repeat(-1, once_op("w"))}}, repeat(-1, once_op("r"))))));
  for (const auto& o : ops) EXPECT_EQ(o.f == "w", o.process % 3 == 0) << o.process;
}

TEST(Generator, UntilOkStopsAfterFirstSuccess) {
  Sim s;
  EXPECT_EQ(s.run(until_ok(repeat(-1, once_op("x"))), 100, OpType::kFail).size(), 100u);
  Sim t;
  EXPECT_EQ(t.run(until_ok(repeat(-1, once_op("x")))).size(), 1u);
}

TEST(Generator, FlipFlopFilterMap) {
  Sim s;
  EXPECT_EQ(fs_of(s.run(limit(4, flip_flop(repeat(-1, once_op("a")), repeat(-1, once_op("b")))))),
            (std::vector<std::string>{"a", "b", "a", "b"}));
  int n = 0;
  auto counting = fn([&](const Context&) -> std::optional<Op> {
    Op o;
    o.f = "x";
    o.value = n++;
    return o;
  });
  auto evens = s.run(limit(3, filter([](const Op& o) { return o.value.get<int>() % 2 == 0; }, counting)));
  ASSERT_EQ(evens.size(), 3u);
  EXPECT_EQ(evens[2].value, 4);
  auto renamed = s.run(map(
      [](Op o) {
        o.f = "y";
        return o;
      },
      once_op("x")));
  EXPECT_EQ(renamed[0].f, "y");
}

TEST(Generator, LogCallsTheLogger) {
  Sim s;
  std::string seen;
  Context c = s.ctx();
  c.log = [&](const std::string& m) { seen = m; };
  EXPECT_TRUE(log_message("hello")->next(c).is_exhausted());
  EXPECT_EQ(seen, "hello");
}

TEST(Generator, InfoGivesAFreshProcess) {
  Sim s(1);
  auto ops = s.run(limit(3, clients(repeat(-1, once_op("x")))), 100, OpType::kInfo);
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].process, 0);
  EXPECT_EQ(ops[1].process, 1);
  EXPECT_EQ(ops[2].process, 2);
}

}  // namespace
}  // namespace faultline
