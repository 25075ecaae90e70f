#include "harness/core/options.h"

#include <gtest/gtest.h>

#include "harness/core/registry.h"

namespace faultline {
namespace {

template <class F>
Error error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::kInternal, "no error");
}

TEST(OptionReader, DefaultsFillInAndAWrongTypeIsBadInputNamingTheOption) {
  OptionReader r({{"n", 3}, {"flag", "yes"}, {"gone", nullptr}}, "workload option", "", {{"rate", 1.5}});
  EXPECT_EQ(r.get<int>("n"), 3);
  EXPECT_EQ(r.get<double>("rate"), 1.5);
  EXPECT_EQ(r.get<int>("gone", 7), 7);  // null reads as absent
  EXPECT_FALSE(r.has("rate"));
  Error e = error_of([&] { r.get<bool>("flag", false); });
  EXPECT_EQ(e.code(), ErrorCode::kBadInput);
  EXPECT_STREQ(e.what(), "workload option \"flag\" must be true or false, got \"yes\"");
  EXPECT_STREQ(error_of([&] { r.at_least("n", 0, 5); }).what(), "workload option \"n\" must be at least 5, got 3");
  EXPECT_STREQ(error_of([&] {
                 OptionReader({{"seed", -1}}, "s.json: field").get<uint64_t>("seed", 0);
               }).what(),
               "s.json: field \"seed\" must be a non-negative integer, got -1");
  EXPECT_STREQ(error_of([&] {
                 OptionReader({{"p", "x"}}, "nemesis option", "loss.").get<double>("p", 0);
               }).what(),
               "nemesis option \"loss.p\" must be a number, got \"x\"");
  EXPECT_EQ(error_of([&] { OptionReader(Json(3), "checker option"); }).code(), ErrorCode::kBadInput);
  EXPECT_EQ(error_of([&] { r.get<int>("missing"); }).code(), ErrorCode::kInternal);  // a default the code forgot
}

TEST(Registry, AnUnknownNameListsTheKnownOnesInOrder) {
  Registry<int> sorted("workload", std::map<std::string, int>{{"b", 2}, {"a", 1}});
  EXPECT_EQ(sorted.at("b"), 2);
  EXPECT_EQ(sorted.names(), (std::vector<std::string>{"a", "b"}));
  Error e = error_of([&] { sorted.at("c"); });
  EXPECT_EQ(e.exit_code(), 254);
  EXPECT_STREQ(e.what(), "unknown workload \"c\"; known: a, b");
  Registry<int> ordered("fault kind", Registry<int>::Entries{{"z", 1}, {"y", 2}});
  EXPECT_EQ(ordered.names(), (std::vector<std::string>{"z", "y"}));
  EXPECT_EQ(ordered.find("x"), nullptr);
}

}  // namespace
}  // namespace faultline
