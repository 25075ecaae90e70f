#include "checkers/checker.h"

#include <exception>
#include <future>

namespace faultline {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::kValid: return "valid";
    case Verdict::kInvalid: return "invalid";
    case Verdict::kUnknown: return "unknown";
  }
  return "unknown";
}

std::string_view elle_word(Verdict v) {
  switch (v) {
    case Verdict::kValid: return "true";
    case Verdict::kInvalid: return "false";
    case Verdict::kUnknown: return "unknown";
  }
  return "unknown";
}

Verdict merge(Verdict a, Verdict b) {
  if (a == Verdict::kInvalid || b == Verdict::kInvalid) return Verdict::kInvalid;
  if (a == Verdict::kUnknown || b == Verdict::kUnknown) return Verdict::kUnknown;
  return Verdict::kValid;
}

namespace {

class NoopChecker : public Checker {
 public:
  std::string name() const override { return "noop"; }
  CheckResult check(const History&, const CheckOptions&) const override {
    return {Verdict::kValid, "", Json::object(), {}};
  }
};

class ComposedChecker : public Checker {
 public:
  explicit ComposedChecker(std::vector<std::unique_ptr<Checker>> checkers)
      : checkers_(std::move(checkers)) {}
  std::string name() const override { return "compose"; }

  CheckResult check(const History& history, const CheckOptions& options) const override {
    std::vector<std::future<CheckResult>> results;
    for (const auto& checker : checkers_) {
      results.push_back(std::async(std::launch::async, [&checker, &history, &options] {
        try {
          return checker->check(history, options);
        } catch (const std::exception& e) {
          CheckResult r;
          r.verdict = Verdict::kUnknown;
          r.explanation = checker->name() + " failed: " + e.what();
          r.details = {{"error", e.what()}};
          return r;
        }
      }));
    }
    CheckResult merged;
    merged.verdict = Verdict::kValid;
    for (size_t i = 0; i < checkers_.size(); ++i) {
      CheckResult r = results[i].get();
      merged.verdict = merge(merged.verdict, r.verdict);
      if (!r.explanation.empty()) {
        if (!merged.explanation.empty()) merged.explanation += '\n';
        merged.explanation += checkers_[i]->name() + ": " + r.explanation;
      }
      Json entry = r.details;
      entry["valid"] = std::string(to_string(r.verdict));
      if (!r.explanation.empty()) entry["explanation"] = r.explanation;
      if (!r.files.empty()) entry["files"] = r.files;
      merged.details[checkers_[i]->name()] = std::move(entry);
      merged.files.insert(merged.files.end(), r.files.begin(), r.files.end());
    }
    return merged;
  }

 private:
  std::vector<std::unique_ptr<Checker>> checkers_;
};

}  // namespace

std::unique_ptr<Checker> noop_checker() { return std::make_unique<NoopChecker>(); }

std::unique_ptr<Checker> compose(std::vector<std::unique_ptr<Checker>> checkers) {
  return std::make_unique<ComposedChecker>(std::move(checkers));
}

}  // namespace faultline
