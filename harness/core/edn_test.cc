#include "harness/core/edn.h"

#include <gtest/gtest.h>

#include "harness/core/error.h"

namespace faultline {
namespace {

TEST(Edn, Scalars) {
  EXPECT_EQ(parse_edn("nil"), Json(nullptr));
  EXPECT_EQ(parse_edn("true"), Json(true));
  EXPECT_EQ(parse_edn("-42"), Json(-42));
  EXPECT_EQ(parse_edn("12N"), Json(12));
  EXPECT_DOUBLE_EQ(parse_edn("2.5").get<double>(), 2.5);
  EXPECT_EQ(parse_edn(":ok"), Json("ok"));
  EXPECT_EQ(parse_edn("\"a\\\"b\\n\""), Json("a\"b\n"));
  EXPECT_EQ(parse_edn("some-symbol"), Json("some-symbol"));
}

TEST(Edn, CollectionsCommentsAndDiscard) {
  Json v = parse_edn("; comment\n[1 (2 3) #{4} {:a 1, 5 [nil]} #_ ignored #inst \"2020\"]");
  EXPECT_EQ(v, Json::parse(R"([1,[2,3],[4],{"a":1,"5":[null]},"2020"])"));
}

TEST(Edn, MalformedInputNamesTheLine) {
  try {
    parse_edn("[1 2\n 3", "f.edn");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("f.edn:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_edn("{:a}"), Error);
  EXPECT_THROW(parse_edn("\"open"), Error);
  EXPECT_THROW(parse_edn(")"), Error);
}

TEST(Edn, DeepNestingIsRejectedNotACrash) { EXPECT_THROW(parse_edn(std::string(100000, '[')), Error); }

TEST(Edn, WriterRoundTrips) {
  Json v = Json::parse(R"([1,"x",null,true,[2.5,{"k":[1]}]])");
  EXPECT_EQ(parse_edn(to_edn(v)), v);
}

}  // namespace
}  // namespace faultline
