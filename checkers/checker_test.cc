#include "checkers/checker.h"

#include <gtest/gtest.h>

#include "checkers/registry.h"
#include "harness/core/error.h"

namespace faultline {
namespace {

class Fixed : public Checker {
 public:
  Fixed(std::string name, Verdict v, bool throws = false) : name_(std::move(name)), v_(v), throws_(throws) {}
  std::string name() const override { return name_; }
  CheckResult check(const HistoryView&, const CheckOptions&) const override {
    if (throws_) throw std::runtime_error("boom");
    return {v_, "", Json::object(), {}, {}};
  }

 private:
  std::string name_;
  Verdict v_;
  bool throws_;
};

Verdict composed(std::vector<std::pair<Verdict, bool>> parts) {
  std::vector<std::unique_ptr<Checker>> cs;
  int i = 0;
  for (auto [v, t] : parts) cs.push_back(std::make_unique<Fixed>("c" + std::to_string(i++), v, t));
  return compose(std::move(cs))->check(History{}, {}).verdict;
}

TEST(Compose, MergesInvalidOverUnknownOverValid) {
  EXPECT_EQ(composed({{Verdict::kValid, false}, {Verdict::kValid, false}}), Verdict::kValid);
  EXPECT_EQ(composed({{Verdict::kValid, false}, {Verdict::kUnknown, false}}), Verdict::kUnknown);
  EXPECT_EQ(composed({{Verdict::kUnknown, false}, {Verdict::kInvalid, false}}), Verdict::kInvalid);
}

TEST(Compose, ThrowingCheckerIsUnknownWithItsError) {
  std::vector<std::unique_ptr<Checker>> cs;
  cs.push_back(std::make_unique<Fixed>("bad", Verdict::kValid, true));
  CheckResult r = compose(std::move(cs))->check(History{}, {});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.details["bad"]["error"], "boom");
}

// Sees its own options and reports what it saw, with an anomaly when asked to.
class Echo : public Checker {
 public:
  explicit Echo(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  CheckResult check(const HistoryView&, const CheckOptions& o) const override {
    CheckResult r;
    r.verdict = o.options.contains("anomaly") ? Verdict::kInvalid : Verdict::kValid;
    if (r.verdict == Verdict::kInvalid) r.anomalies = {o.options["anomaly"].get<std::string>()};
    r.details = {{"saw", o.options}};
    return r;
  }

 private:
  std::string name_;
};

TEST(Compose, EachCheckerGetsItsOwnOptionsAndItsAnomaliesAreTyped) {
  std::vector<CheckerWithOptions> cs;
  cs.push_back({std::make_unique<Echo>("a"), {{"model", "cas-register"}}});
  cs.push_back({std::make_unique<Echo>("b"), {{"model", "set"}, {"anomaly", "lost"}}});
  cs.push_back({std::make_unique<Fixed>("c", Verdict::kUnknown, false), Json::object()});
  CheckResult r = compose(std::move(cs))->check(History{}, {{}, {{"budget-ms", 5}}});
  EXPECT_EQ(r.details["a"]["saw"], (Json{{"model", "cas-register"}, {"budget-ms", 5}}));
  EXPECT_EQ(r.details["b"]["saw"]["model"], "set");  // no clash: each its own
  EXPECT_EQ(r.details["b"]["anomaly-types"], Json({"lost"}));
  EXPECT_FALSE(r.details["a"].contains("anomaly-types"));
  EXPECT_EQ(r.anomalies, (std::vector<std::string>{"lost", "c"}));  // a checker naming none: its name
}

TEST(Stats, CountsPerFAndFlagsFsThatNeverSucceeded) {
  History h(4);
  h[0].f = h[1].f = "read";
  h[1].type = OpType::kOk;
  h[2].f = h[3].f = "write";
  h[2].process = h[3].process = 1;
  h[3].type = OpType::kFail;
  CheckResult r = make_checker("stats")->check(h, {});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["by-f"]["read"]["ok-count"], 1);
  EXPECT_EQ(r.details["by-f"]["write"]["fail-count"], 1);
}

TEST(Registry, UnknownNameListsKnownOnes) {
  try {
    make_checker("nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 254);
    EXPECT_NE(std::string(e.what()).find("stats"), std::string::npos);
  }
}

}  // namespace
}  // namespace faultline
