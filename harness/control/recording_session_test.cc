#include "harness/control/recording_session.h"

#include <gtest/gtest.h>
#include <tuple>

namespace faultline {
namespace {

TEST(RecordingSession, RecordsCommandsAndAnswersByPattern) {
  RecordingSession session("n1");
  session.respond("pgrep", ExecResult{1, "", "none"});
  session.respond("iptables", Error(ErrorCode::kUnavailable, "n1: gone"));
  EXPECT_EQ(session.exec({"pgrep", "etcd"}).exit_code, 1);
  EXPECT_EQ(session.exec({"echo", "hi there"}, {.stdin_data = "in"}).exit_code, 0);
  EXPECT_THROW(session.exec({"iptables", "-F"}), Error);
  session.upload("/a", "/b");
  auto calls = session.calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[1].command, "echo 'hi there'");
  EXPECT_EQ(calls[1].stdin_data, "in");
  EXPECT_EQ(calls[3].command, "upload /a /b");
}

TEST(RecordingSession, CheckThrowsOnFailureNamingNodeAndCommand) {
  RecordingSession session("n2");
  session.respond("false", ExecResult{3, "", "boom"});
  try {
    session.check({"false"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kRemote);
    EXPECT_EQ(std::string(e.what()), "n2: `false` exited with 3: boom");
  }
}

TEST(RecordingSession, SudoGetsPasswordOnStdinNotOnCommandLine) {
  RecordingSession session("n1", "s3cret");
  std::ignore = session.exec({"id"}, {.stdin_data = "data", .as_user = "root"});
  auto call = session.calls().at(0);
  EXPECT_EQ(call.command, "sudo -S -k -p '' -u root -- sh -c id");
  EXPECT_EQ(call.stdin_data, "s3cret\ndata");
  RecordingSession passwordless("n1");
  std::ignore = passwordless.exec({"id"}, {.as_user = "etcd"});
  EXPECT_EQ(passwordless.commands().at(0), "sudo -n -u etcd -- sh -c id");
}

TEST(RecordingSession, ALoginUserOtherThanRootRunsEveryCommandThroughSudoButItsOwnReads) {
  RecordingSession nopasswd("n1", "", /*uses_sudo=*/true);
  std::ignore = nopasswd.exec({"iptables", "-L"});
  std::ignore = nopasswd.exec({"date", "+%s"}, {.as_login_user = true});
  std::ignore = nopasswd.exec({"id"}, {.as_user = "etcd"});
  EXPECT_EQ(nopasswd.commands(), (std::vector<std::string>{"sudo -n -u root -- sh -c 'iptables -L'", "date +%s",
                                                           "sudo -n -u etcd -- sh -c id"}));
  RecordingSession password("n1", "pw", /*uses_sudo=*/true);
  std::ignore = password.exec({"tc", "qdisc", "show"}, {.stdin_data = "in"});
  EXPECT_EQ(password.calls().at(0).command, "sudo -S -k -p '' -u root -- sh -c 'tc qdisc show'");
  EXPECT_EQ(password.calls().at(0).stdin_data, "pw\nin");
  RecordingSession root("n1");
  std::ignore = root.exec({"iptables", "-L"});
  EXPECT_EQ(root.commands().at(0), "iptables -L");
}

}  // namespace
}  // namespace faultline
