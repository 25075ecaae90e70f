#include "harness/control/shell.h"

#include <gtest/gtest.h>

#include "harness/control/local_session.h"

namespace faultline {
namespace {

TEST(ShellQuote, LeavesPlainWordsReadable) {
  EXPECT_EQ(shell_quote("etcd"), "etcd");
  EXPECT_EQ(shell_quote("/var/lib/x-1.2:3"), "/var/lib/x-1.2:3");
}

TEST(ShellQuote, QuotesEverythingElse) {
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_join({"echo", "$HOME", "a;b"}), "echo '$HOME' 'a;b'");
}

// The real test of quoting: a shell must read every hostile argument back byte for byte.
TEST(ShellQuote, ShellReadsArgumentsBackUnchanged) {
  std::vector<std::string> hostile = {
      "",  " ", "'", "\"", "\\", "$(touch /tmp/x)", "`id`", "a\nb", "*", "~", "--", "-n", "!", "&&",
      "|", ";", "#", "\t", "é"};
  LocalSession shell;
  for (const auto& arg : hostile) {
    ExecResult result = shell.exec({"printf", "%s", arg});
    EXPECT_EQ(result.exit_code, 0) << arg;
    EXPECT_EQ(result.out, arg) << shell_join({"printf", "%s", arg});
  }
}

}  // namespace
}  // namespace faultline
