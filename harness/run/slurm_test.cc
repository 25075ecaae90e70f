// Reading Slurm's answers about job arrays (samples of real scontrol and sacct output).
#include "harness/run/slurm.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

TEST(Slurm, ScontrolTasksIncludePendingRangesAndSkipOtherJobs) {
  std::string text =
      "JobId=4 ArrayJobId=4 ArrayTaskId=1,3-4%1 JobName=wrap JobState=PENDING Reason=JobArrayTaskLimit "
      "Dependency=(null) ExitCode=0:0 RunTime=00:00:00\n"
      "JobId=5 ArrayJobId=4 ArrayTaskId=0 JobName=wrap JobState=CANCELLED Reason=None ExitCode=0:15\n"
      "JobId=6 ArrayJobId=4 ArrayTaskId=2 JobName=wrap JobState=TIMEOUT Reason=TimeLimit ExitCode=0:0\n"
      "JobId=9 ArrayJobId=8 ArrayTaskId=0 JobName=other JobState=RUNNING Reason=None ExitCode=0:0\n";
  auto tasks = parse_scontrol_tasks(text, "4");
  ASSERT_EQ(tasks.size(), 5u);
  EXPECT_EQ(tasks[1].state, "PENDING");
  EXPECT_EQ(tasks[4].reason, "JobArrayTaskLimit");
  EXPECT_EQ(tasks[0].state, "CANCELLED");
  EXPECT_EQ(tasks[0].reason, "exit code 0:15");
  EXPECT_EQ(tasks[2].state, "TIMEOUT");
  EXPECT_EQ(tasks[2].reason, "TimeLimit");
  EXPECT_TRUE(parse_scontrol_tasks(text, "9").empty());  // a task's own id is not its array's
}

TEST(Slurm, SacctTasksNameWhoCancelled) {
  std::string text =
      "12_0|COMPLETED|0:0\n12_1|CANCELLED by 0|0:15\n12_2|NODE_FAIL|1:0\n12_[3-4]|PENDING|0:0\n13_0|FAILED|1:0\n";
  auto tasks = parse_sacct_tasks(text, "12");
  ASSERT_EQ(tasks.size(), 5u);
  EXPECT_EQ(tasks[0].state, "COMPLETED");
  EXPECT_EQ(tasks[0].reason, "");
  EXPECT_EQ(tasks[1].state, "CANCELLED");
  EXPECT_EQ(tasks[1].reason, "by 0");
  EXPECT_EQ(tasks[2].reason, "exit code 1:0");
  EXPECT_EQ(tasks[4].state, "PENDING");
}

}  // namespace
}  // namespace faultline
