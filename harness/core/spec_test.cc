#include "harness/core/spec.h"

#include <gtest/gtest.h>
#include <tuple>

#include "harness/core/error.h"

namespace faultline {
namespace {

std::string error_of(const char* json) {
  try {
    std::ignore = parse_spec(Json::parse(json), "s.json");
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 254);
    return e.what();
  }
  return "";
}

TEST(Spec, DefaultsAndConcurrencyPerNode) {
  Spec s = parse_spec(Json::parse(R"({"concurrency":"2n","nodes":"a,b,c","seed":7})"), "s");
  EXPECT_EQ(s.workers(), 6);
  EXPECT_EQ(s.nodes.size(), 3u);
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.name, "register-memory");
  Spec t = parse_spec(to_json(s), "again");
  EXPECT_EQ(t.workers(), 6);
}

TEST(Spec, PasswordsAreNeverWrittenOut) {
  Spec s = parse_spec(Json::parse(R"({"ssh":{"user":"u","password":"hunter2"}})"), "s");
  EXPECT_EQ(s.ssh["password"], "hunter2");
  EXPECT_EQ(to_json(s).dump().find("hunter2"), std::string::npos);
}

TEST(Spec, ErrorsNameTheField) {
  EXPECT_NE(error_of(R"({"concurrency":"zero"})").find("\"concurrency\""), std::string::npos);
  EXPECT_NE(error_of(R"({"time-limit":"long"})").find("\"time-limit\""), std::string::npos);
  EXPECT_NE(error_of(R"({"wrkload":"x"})").find("unknown field \"wrkload\""), std::string::npos);
  EXPECT_NE(error_of(R"({"seed":-1})").find("\"seed\""), std::string::npos);
  EXPECT_NE(error_of(R"([1])").find("JSON object"), std::string::npos);
}

}  // namespace
}  // namespace faultline
