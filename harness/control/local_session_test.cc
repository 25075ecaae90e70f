#include "harness/control/local_session.h"

#include <gtest/gtest.h>

#include <fstream>
#include <tuple>

#include "harness/core/error.h"

namespace faultline {
namespace {

using namespace std::chrono_literals;

TEST(LocalSession, StdinStdoutStderrAndExitCode) {
  LocalSession local;
  ExecResult result = local.exec_script("cat; echo oops >&2; exit 3", {.stdin_data = "hello"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "hello");
  EXPECT_EQ(result.err, "oops\n");
  EXPECT_EQ(local.exec_script("kill -9 $$").exit_code, 137);
}

TEST(LocalSession, LargeOutputOnBothStreamsDoesNotDeadlock) {
  LocalSession local;
  ExecResult result = local.exec_script("head -c 10000000 /dev/zero; head -c 3000000 /dev/zero >&2",
                                        {.stdin_data = std::string(5'000'000, 'x')});
  EXPECT_EQ(result.out.size(), 10'000'000u);
  EXPECT_EQ(result.err.size(), 3'000'000u);
}

TEST(LocalSession, TimeoutKillsTheWholeCommand) {
  LocalSession local;
  auto start = std::chrono::steady_clock::now();
  try {
    std::ignore = local.exec_script("sleep 100 & sleep 100", {.timeout = 300ms});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTimeout);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(LocalSession, UploadAndDownloadCopyBytes) {
  auto dir = std::filesystem::temp_directory_path() / ("fl-local-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a") << std::string("bytes\0here", 10);
  LocalSession local;
  local.upload(dir / "a", (dir / "b").string());
  local.download((dir / "b").string(), dir / "c");
  EXPECT_EQ(std::filesystem::file_size(dir / "c"), 10u);
  EXPECT_THROW(local.download((dir / "missing").string(), dir / "d"), Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace faultline
