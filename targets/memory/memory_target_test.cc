#include "targets/memory/memory_target.h"

#include <gtest/gtest.h>

#include <set>

#include "harness/core/error.h"

namespace faultline {
namespace {

Op invoke(const std::string& f, Json value) {
  Op op;
  op.f = f;
  op.value = std::move(value);
  return op;
}

TEST(MemoryTarget, RegisterReadWriteCas) {
  auto t = memory_target("register", Json::object(), 1);
  auto c = t->make_client();
  EXPECT_EQ(c->invoke(invoke("read", {1, nullptr})).value, Json::array({1, nullptr}));
  EXPECT_TRUE(c->invoke(invoke("write", {1, 3})).is_ok());
  EXPECT_TRUE(c->invoke(invoke("cas", {1, {3, 4}})).is_ok());
  EXPECT_TRUE(c->invoke(invoke("cas", {1, {3, 5}})).is_fail());
  EXPECT_EQ(c->invoke(invoke("read", {1, nullptr})).value, Json::array({1, 4}));
}

TEST(MemoryTarget, TxnAppendsAndReads) {
  auto t = memory_target("list-append", Json::object(), 1);
  auto c = t->make_client();
  c->invoke(invoke("txn", Json::parse(R"([["append","x",1],["append","x",2]])")));
  Op r = c->invoke(invoke("txn", Json::parse(R"([["r","x",null]])")));
  EXPECT_EQ(r.value, Json::parse(R"([["r","x",[1,2]]])"));
}

TEST(MemoryTarget, StaleReadBugReturnsOldValues) {
  auto t = memory_target("register", {{"bugs", {"stale-read"}}}, 1);
  auto c = t->make_client();
  for (int v = 0; v < 5; ++v) c->invoke(invoke("write", {0, v}));
  int stale = 0;
  for (int i = 0; i < 200; ++i) stale += c->invoke(invoke("read", {0, nullptr})).value[1] != 4;
  EXPECT_GT(stale, 10);
}

TEST(MemoryTarget, ListReadsOfUnwrittenKeysAreEmptyAndRegisterReadsNull) {
  auto lists = memory_target("list-append", Json::object(), 1)->make_client();
  EXPECT_EQ(lists->invoke(invoke("txn", Json::parse(R"([["r","y",null]])"))).value, Json::parse(R"([["r","y",[]]])"));
  auto registers = memory_target("rw-register", Json::object(), 1)->make_client();
  registers->invoke(invoke("txn", Json::parse(R"([["w","x",1]])")));
  EXPECT_EQ(registers->invoke(invoke("txn", Json::parse(R"([["r","x",null],["r","y",null]])"))).value,
            Json::parse(R"([["r","x",1],["r","y",null]])"));
}

TEST(MemoryTarget, StaleReadBugReachesTxnReadsAndSetReads) {
  auto target = memory_target("long-fork", {{"bugs", {"stale-read"}}}, 1);
  auto c = target->make_client();
  c->invoke(invoke("txn", Json::parse(R"([["w",0,1]])")));
  int unwritten = 0;
  Json read = Json::parse(R"([["r",0,null]])");
  for (int i = 0; i < 200; ++i) unwritten += c->invoke(invoke("txn", read)).value[0][2].is_null();
  EXPECT_GT(unwritten, 10);
  EXPECT_LT(unwritten, 100);

  auto set = memory_target("set-full", {{"bugs", {"stale-read"}}}, 1)->make_client();
  for (int e = 0; e < 10; ++e) set->invoke(invoke("add", e));
  int short_reads = 0;
  for (int i = 0; i < 200; ++i) short_reads += set->invoke(invoke("read", nullptr)).value.size() < 10;
  EXPECT_GT(short_reads, 10);
}

TEST(MemoryTarget, LostAddBugDropsCounterAddsAndEnqueues) {
  auto counter = memory_target("counter", {{"bugs", {"lost-add"}}}, 1)->make_client();
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(counter->invoke(invoke("add", 1)).is_ok());
  int64_t total = counter->invoke(invoke("read", nullptr)).value.get<int64_t>();
  EXPECT_LT(total, 195);
  EXPECT_GT(total, 150);

  auto queue = memory_target("queue", {{"bugs", {"lost-add"}}}, 1)->make_client();
  for (int i = 0; i < 200; ++i) queue->invoke(invoke("enqueue", i));
  EXPECT_LT(queue->invoke(invoke("drain", nullptr)).value.size(), 195u);
}

TEST(MemoryTarget, DuplicateIdBugRepeatsIds) {
  auto healthy = memory_target("unique-ids", Json::object(), 1)->make_client();
  auto buggy = memory_target("unique-ids", {{"bugs", {"duplicate-id"}}}, 1)->make_client();
  std::set<Json> fine, dup;
  for (int i = 0; i < 200; ++i) {
    fine.insert(healthy->invoke(invoke("generate", nullptr)).value);
    dup.insert(buggy->invoke(invoke("generate", nullptr)).value);
  }
  EXPECT_EQ(fine.size(), 200u);
  EXPECT_LT(dup.size(), 195u);
}

// Bank accounts come from the target options, else from the spec's bank workload options.
TEST(MemoryTarget, BankOpensTheAccountsTheWorkloadExpects) {
  TestEnv env;
  env.vocabulary = "bank";
  Json prepare = {{"accounts", 3}, {"balance", 7}};  // what the bank workload hands over
  auto from_workload = memory_target("", Json::object(), 1);
  from_workload->setup(env);
  from_workload->make_client()->setup(prepare);
  EXPECT_EQ(from_workload->make_client()->invoke(invoke("read", nullptr)).value,
            Json::parse(R"({"0": 7, "1": 7, "2": 7})"));
  auto from_target = memory_target("", {{"accounts", 2}}, 1);
  from_target->setup(env);
  from_target->make_client()->setup(prepare);
  EXPECT_EQ(from_target->make_client()->invoke(invoke("read", nullptr)).value, Json::parse(R"({"0": 7, "1": 7})"));
  EXPECT_THROW(memory_target("bank", {{"balance", "lots"}}, 1), Error);
}

TEST(MemoryTarget, UnknownBugIsABadInput) {
  EXPECT_THROW(memory_target("register", {{"bugs", {"gremlins"}}}, 1), Error);
}

}  // namespace
}  // namespace faultline
