#include "harness/core/history.h"

#include <gtest/gtest.h>

#include "harness/core/error.h"

namespace faultline {
namespace {

Op op(OpType type, int64_t process, const char* f = "read", Json value = nullptr) {
  Op o;
  o.type = type;
  o.process = process;
  o.f = f;
  o.value = std::move(value);
  return o;
}

TEST(History, ValidHistoryPasses) {
  History h = {op(OpType::kInvoke, 0), op(OpType::kInvoke, 1), op(OpType::kOk, 1), op(OpType::kInfo, 0),
               op(OpType::kInfo, kNemesisProcess, "kill")};
  reindex(h);
  EXPECT_NO_THROW(validate(h, "h"));
  auto partner = pair_index(h);
  EXPECT_EQ(partner[0], 3);
  EXPECT_EQ(partner[2], 1);
  EXPECT_EQ(partner[4], -1);
}

TEST(History, DoubleInvokeIsRejectedWithIndex) {
  History h = {op(OpType::kInvoke, 0), op(OpType::kInvoke, 0)};
  reindex(h);
  try {
    validate(h, "x.jsonl");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.jsonl: op 1"), std::string::npos) << e.what();
  }
}

TEST(History, CompletionWithoutInvocationIsRejected) {
  History h = {op(OpType::kOk, 3)};
  reindex(h);
  EXPECT_THROW(validate(h, "h"), Error);
}

}  // namespace
}  // namespace faultline
