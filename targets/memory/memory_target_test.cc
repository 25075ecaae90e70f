#include "targets/memory/memory_target.h"

#include <gtest/gtest.h>

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

TEST(MemoryTarget, UnknownBugIsABadInput) {
  EXPECT_THROW(memory_target("register", {{"bugs", {"gremlins"}}}, 1), Error);
}

}  // namespace
}  // namespace faultline
