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
  CheckResult check(const HistoryView&, const CheckOptions&) const override {
    return {Verdict::kValid, "", Json::object(), {}, {}};
  }
};

class ComposedChecker : public Checker {
 public:
  explicit ComposedChecker(std::vector<CheckerWithOptions> checkers) : checkers_(std::move(checkers)) {}
  std::string name() const override { return "compose"; }

  // Every checker reads the same view, so each form of the history is made at most once.
  CheckResult check(const HistoryView& history, const CheckOptions& options) const override {
    std::vector<std::future<CheckResult>> results;
    for (const auto& part : checkers_) {
      CheckOptions mine = options;
      if (!mine.options.is_object()) mine.options = Json::object();
      mine.options.update(part.options);
      const auto& checker = part.checker;
      results.push_back(std::async(std::launch::async, [&checker, &history, mine] {
        try {
          return checker->check(history, mine);
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
      const std::string name = checkers_[i].checker->name();
      merged.verdict = merge(merged.verdict, r.verdict);
      if (!r.explanation.empty()) {
        if (!merged.explanation.empty()) merged.explanation += '\n';
        merged.explanation += name + ": " + r.explanation;
      }
      if (!r.anomalies.empty())
        merged.anomalies.insert(merged.anomalies.end(), r.anomalies.begin(), r.anomalies.end());
      else if (r.verdict != Verdict::kValid)
        merged.anomalies.push_back(name);
      Json entry = r.details;
      if (!r.anomalies.empty()) entry["anomaly-types"] = r.anomalies;
      entry["valid"] = std::string(to_string(r.verdict));
      if (!r.explanation.empty()) entry["explanation"] = r.explanation;
      if (!r.files.empty()) entry["files"] = r.files;
      merged.details[name] = std::move(entry);
      merged.files.insert(merged.files.end(), r.files.begin(), r.files.end());
    }
    return merged;
  }

 private:
  std::vector<CheckerWithOptions> checkers_;
};

}  // namespace

std::unique_ptr<Checker> noop_checker() { return std::make_unique<NoopChecker>(); }

std::unique_ptr<Checker> compose(std::vector<CheckerWithOptions> checkers) {
  return std::make_unique<ComposedChecker>(std::move(checkers));
}

std::unique_ptr<Checker> compose(std::vector<std::unique_ptr<Checker>> checkers) {
  std::vector<CheckerWithOptions> parts;
  for (auto& c : checkers) parts.push_back({std::move(c), Json::object()});
  return compose(std::move(parts));
}

}  // namespace faultline
