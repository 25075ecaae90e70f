#include <gtest/gtest.h>

#include "checkers/registry.h"

namespace faultline {
namespace {

TEST(Registry, EveryInvariantCheckerIsRegisteredUnderItsName) {
  for (const char* name :
       {"counter", "set", "set-full", "bank", "queue", "total-queue", "unique-ids", "long-fork", "perf"})
    EXPECT_EQ(make_checker(name)->name(), name);
}

}  // namespace
}  // namespace faultline
