// The etcd target's options; its cluster and client run for real in targets_e2e_test.
#include "targets/etcd/etcd_target.h"

#include <gtest/gtest.h>

#include "harness/core/error.h"

namespace faultline {
namespace {

std::string error_of(const Json& options) {
  try {
    etcd_target(options);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadInput);
    return e.what();
  }
  return "no error";
}

TEST(EtcdTarget, RaftTimingIsPositiveMillisecondsWithElectionAtLeastFiveHeartbeats) {
  EXPECT_EQ(error_of({{"heartbeat-ms", "200"}, {"election-ms", 2000}}), "no error");
  EXPECT_NE(error_of({{"heartbeat-ms", "fast"}}).find("heartbeat-ms must be a positive number of milliseconds"),
            std::string::npos);
  EXPECT_NE(error_of({{"election-ms", "-5"}}).find("election-ms must be a positive"), std::string::npos);
  EXPECT_NE(error_of({{"heartbeat-ms", "300"}}).find("at least 5 times heartbeat-ms (300)"), std::string::npos);
  EXPECT_NE(error_of({{"heartbeat", 100}}).find("known: read-consistency"), std::string::npos);
}

}  // namespace
}  // namespace faultline
