// The checker protocol: a pure function of a history. Checkers depend on harness/core only.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/history.h"
#include "harness/core/history_view.h"
#include "harness/core/json.h"

namespace faultline {

enum class Verdict { kValid, kInvalid, kUnknown };

// "valid", "invalid", "unknown".
std::string_view to_string(Verdict v);
// Merge order: invalid > unknown > valid.
Verdict merge(Verdict a, Verdict b);
// elle-cli's first-line word: true / false / unknown.
std::string_view elle_word(Verdict v);

struct CheckOptions {
  // Directory for files a checker writes (HTML views, DOT graphs); empty = write no files.
  std::filesystem::path out_dir;
  // Checker-specific options, e.g. {"model":"cas-register"}, {"consistency-models":[...]},
  // {"anomalies":[...]}, {"group-size":3}, {"budget-ms":10000}, {"negative-balances":true}.
  Json options = Json::object();
};

struct CheckResult {
  Verdict verdict = Verdict::kUnknown;
  // A short explanation a person can follow; empty when there is nothing to say.
  std::string explanation;
  // Structured evidence for results.json (anomalies, offending ops with their indices, figures).
  Json details = Json::object();
  // Files written, relative to out_dir.
  std::vector<std::string> files;
  // The anomaly types found ("G1c", "lost"), for indexes and campaigns; empty when the checker
  // names none. compose() writes them into details as "anomaly-types".
  std::vector<std::string> anomalies;
};

class Checker {
 public:
  virtual ~Checker() = default;
  virtual std::string name() const = 0;
  // Judges a history (all ops, client and nemesis, as recorded), in the form the checker reads best
  // (see history_view.h). Must not throw for histories that pass validate(); may throw Error for
  // options it cannot use.
  [[nodiscard]] virtual CheckResult check(const HistoryView& history, const CheckOptions& options) const = 0;
};

// Always valid; for runs that want no checking.
std::unique_ptr<Checker> noop_checker();

// A checker with its own options (a workload's {"model": ...} for linearizability, {"group-size": 3}
// for long-fork, ...).
struct CheckerWithOptions {
  std::unique_ptr<Checker> checker;
  Json options = Json::object();
};

// Runs every checker in parallel over the same history, each with the call's out_dir and its own
// options over the call's; the verdict is the merge of theirs, details hold each one's result under
// its name. The anomalies are each checker's, or the checker's name when it is not valid and names
// none. A checker that throws counts as unknown with its error.
std::unique_ptr<Checker> compose(std::vector<CheckerWithOptions> checkers);
std::unique_ptr<Checker> compose(std::vector<std::unique_ptr<Checker>> checkers);

}  // namespace faultline
