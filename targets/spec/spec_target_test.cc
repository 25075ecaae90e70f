#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "harness/core/error.h"
#include "targets/spec/process_client.h"
#include "targets/spec/spec_target.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

TEST(Placeholders, ExpandsKnownLeavesShellAloneAndNamesUnknown) {
  std::map<std::string, std::string> v = {{"node", "n1"}, {"port", "6379"}};
  EXPECT_EQ(expand_placeholders("x {node}:{port} ${HOME} awk '{print $1}' {{node}", v, "start"),
            "x n1:6379 ${HOME} awk '{print $1}' {node}");
  try {
    expand_placeholders("run {nodee} {prot} {node}", v, "field start");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("{nodee}, {prot} in field start"), std::string::npos) << e.what();
  }
}

class SpecFileTest : public ::testing::Test {
 protected:
  fs::path write(const std::string& text) {
    fs::path p = dir_ / "t.json";
    std::ofstream(p) << text;
    return p;
  }
  std::string error_of(const std::string& text) {
    try {
      spec_target({{"file", write(text).string()}});
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadInput);
      return e.what();
    }
    return "";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_ = fs::temp_directory_path() / ("spec-target-test-" + std::to_string(getpid()));
  void SetUp() override { fs::create_directories(dir_); }
};

TEST_F(SpecFileTest, BadSpecsNameTheProblem) {
  const std::string client = R"("speaks": ["register"], "client": {"command": ["cat"]})";
  EXPECT_NE(error_of("{" + client + "}").find("missing field \"start\""), std::string::npos);
  EXPECT_NE(error_of(R"({"start": "x", "client": {"command": ["cat"]}})").find("missing field \"speaks\""),
            std::string::npos);
  EXPECT_NE(error_of(R"({"start": "x", "files": [{"from": "nope"}], )" + client + "}").find("files"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"start": "x --port {prot}", )" + client + "}").find("{prot}"), std::string::npos);
  EXPECT_NE(error_of(R"({"start": "x", "strat": "y", )" + client + "}").find("unknown field \"strat\""),
            std::string::npos);
  EXPECT_NE(error_of(R"({"start": "x", "speaks": []})").find("\"client\""), std::string::npos);
  EXPECT_NE(error_of(R"({"start": "x", "ready": {"tcp": "p"}, )" + client + "}").find("ready"), std::string::npos);
  EXPECT_EQ(error_of(R"({"start": "x {node} ${Y}", "port": 1, )" + client + "}"), "");
}

TEST(SpecTarget, OptionsNeedAFile) {
  EXPECT_THROW(spec_target(Json::object()), Error);
  EXPECT_THROW(spec_target({{"file", "/nonexistent/t.json"}}), Error);
}

// A client program written in sh, run for real.
std::unique_ptr<Client> sh_client(const std::string& script, std::string* problem = nullptr) {
  auto p = std::make_shared<ClientProgram>();
  p->argv = {"/bin/sh", "-c", script};
  p->stderr_dir = fs::temp_directory_path() / "spec-target-test-clients";
  p->addresses = {{"n1", "10.0.0.1"}};
  p->op_timeout = std::chrono::milliseconds(500);
  p->on_response = [problem](bool valid, const std::string& why) {
    if (problem && !valid) *problem = why;
  };
  auto c = process_client(p);
  c->open("n1");
  return c;
}

Op read_op() {
  Op op;
  op.process = 3;
  op.f = "read";
  op.value = Json::array({1, nullptr});
  return op;
}

TEST(ProcessClient, SendsRequestsAndReadsResponses) {
  // Echoes the request back as the value, so the request's fields can be checked.
  auto c = sh_client(R"(while read -r line; do printf '{"type":"ok","value":%s}\n' "$line"; done)");
  Op done = c->invoke(read_op());
  EXPECT_TRUE(done.is_ok());
  EXPECT_EQ(done.value, Json::parse(R"({"f":"read","value":[1,null],"node":"n1","address":"10.0.0.1","process":3})"));
  EXPECT_TRUE(c->invoke(read_op()).is_ok());
  c->close();
}

TEST(ProcessClient, FailAndErrorAreKept) {
  auto c = sh_client(R"(while read -r line; do echo '{"type":"fail","error":"refused"}'; done)");
  Op done = c->invoke(read_op());
  EXPECT_TRUE(done.is_fail());
  EXPECT_EQ(done.error, "refused");
  EXPECT_EQ(done.value, read_op().value);
}

TEST(ProcessClient, GarbageHangAndDeathAreInfo) {
  std::string problem;
  EXPECT_TRUE(sh_client("read -r l; echo hello", &problem)->invoke(read_op()).is_info());
  EXPECT_NE(problem.find("not a response"), std::string::npos) << problem;

  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(sh_client("sleep 30", &problem)->invoke(read_op()).is_info());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_NE(problem.find("did not answer within 500 ms"), std::string::npos) << problem;

  Op died = sh_client("read -r l; exit 7", &problem)->invoke(read_op());
  EXPECT_TRUE(died.is_info());
  EXPECT_NE(problem.find("exit code 7"), std::string::npos) << problem;
}

TEST(ProcessClient, MissingProgramFailsToOpen) {
  auto p = std::make_shared<ClientProgram>();
  p->argv = {"/nonexistent/client"};
  p->stderr_dir = fs::temp_directory_path() / "spec-target-test-clients";
  EXPECT_THROW(process_client(p)->open("n1"), Error);
}

}  // namespace
}  // namespace faultline
