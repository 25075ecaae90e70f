#include "harness/core/random.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

TEST(Rng, SameSeedSameSequence) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(Rng, BelowStaysInRangeAndCoversIt) {
  Rng rng(7);
  std::vector<int> seen(10);
  for (int i = 0; i < 10000; ++i) {
    uint64_t v = rng.below(10);
    ASSERT_LT(v, 10u);
    seen[v]++;
  }
  for (int n : seen) EXPECT_GT(n, 800);
}

TEST(Rng, ForkIsIndependentOfParentDraws) {
  Rng a(1), b(1);
  a.next();
  EXPECT_EQ(a.fork("nemesis").next(), b.fork("nemesis").next());
  EXPECT_NE(a.fork("nemesis").next(), a.fork("client").next());
}

}  // namespace
}  // namespace faultline
