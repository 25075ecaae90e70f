// `faultline check`: elle-cli compatible checking of history files. The first line of output per
// file is "<file>\t<true|false|unknown>", then the explanation; the exit code is 0 when all are
// valid, 1 when one is invalid, 2 when one is unknown.
#include <filesystem>
#include <iostream>

#include "checkers/registry.h"
#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/history_io.h"
#include "harness/run/runner.h"

namespace faultline {
namespace {

// Every model and checker with its options and defaults (values are JSON: --option initial-value='""').
const char* const kModelHelp = R"(
Linearizability models (register, cas-register, mutex, linear-set, unordered-queue, fifo-queue,
multi-register, kv), options:
  initial-value   the state before the first op (default null; multi-register: an object of
                  registers; kv: every key starts at it, e.g. '""' for Porcupine's kv histories)
  independent     split [key value] ops per key (default: when every op looks like one)
  budget-ms       time budget; past it the verdict is unknown (default 10000)
  memory-mb       memory budget for the search (default none)
  configurations-after-verdict  once one key is not linearizable, the others are decided only
                  within this many configurations each, else listed as undecided (default 1000)
  witness         write linear-witness.json for a valid history (default false)
Transactional (list-append, rw-register):
  consistency-models  models to check (default strict-serializable)
  anomalies           anomalies to look for besides those the models forbid (default none)
Invariants:
  counter, set, unique-ids, stats   no options
  set-full        linearizable (default false: stale reads are allowed)
  bank            accounts (default: those read), total (default: the first read's sum),
                  negative-balances (default false)
  queue           no options; total-queue: allow-duplicates (default false)
  long-fork       group-size (default 2)
  perf            bucket-ms (default 1000)
)";

struct CheckFlags {
  std::string model, directory;
  std::vector<std::string> files, consistency_models, anomalies, options;
  int group_size = 0;
  int64_t budget_ms = 0;
  bool negative_balances = false;
};

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<CheckFlags>();
  std::string models;
  for (const auto& n : checker_names()) models += (models.empty() ? "" : ", ") + n;
  CLI::App* cmd = app.add_subcommand("check", "Check history files (JSONL or Jepsen EDN) with a checker");
  cmd->add_option("--model,-m", f->model, "Checker or model: " + models)->required();
  cmd->add_option("--directory,-d", f->directory, "Directory for output files (views, graphs)");
  // Repeatable options take one value each, so that history files may follow them.
  cmd->add_option("--consistency-models", f->consistency_models, "Transactional: models to check (comma-separated)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--anomalies", f->anomalies, "Transactional: anomalies to look for (comma-separated)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--group-size", f->group_size, "long-fork: keys per read group");
  cmd->add_option("--budget-ms", f->budget_ms, "Time budget in ms; past it the verdict is unknown");
  cmd->add_flag("--negative-balances", f->negative_balances, "bank: negative balances are allowed");
  cmd->add_option("--option", f->options, "Any checker option key=value (repeatable; see below)")
      ->allow_extra_args(false);
  cmd->footer(kModelHelp);
  cmd->add_option("HISTORY", f->files, "History files")->required();
  cmd->callback([f, &exit_code] {
    auto checker = make_checker(f->model);
    CheckOptions options;
    options.options["model"] = f->model;
    if (!f->consistency_models.empty()) options.options["consistency-models"] = f->consistency_models;
    if (!f->anomalies.empty()) options.options["anomalies"] = f->anomalies;
    if (f->group_size > 0) options.options["group-size"] = f->group_size;
    if (f->budget_ms > 0) options.options["budget-ms"] = f->budget_ms;
    if (f->negative_balances) options.options["negative-balances"] = true;
    for (const auto& kv : f->options) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) fail(ErrorCode::kBadInput, "--option wants key=value, got \"" + kv + "\"");
      Json v = Json::parse(kv.substr(eq + 1), nullptr, false);
      options.options[kv.substr(0, eq)] = v.is_discarded() ? Json(kv.substr(eq + 1)) : v;
    }
    Verdict all = Verdict::kValid;
    for (const auto& file : f->files) {
      // Read once into the compact form; a checker that reads compact() never sees JSON.
      CompactHistory history = read_compact_history_file(file);
      validate(history, file);
      if (!f->directory.empty()) {
        options.out_dir = std::filesystem::path(f->directory);
        if (f->files.size() > 1) options.out_dir /= std::filesystem::path(file).filename();
        std::filesystem::create_directories(options.out_dir);
      }
      CheckResult r = checker->check(history, options);
      std::cout << file << "\t" << elle_word(r.verdict) << "\n";
      if (!r.explanation.empty()) std::cout << r.explanation << "\n";
      for (const auto& written : r.files) std::cout << "wrote " << (options.out_dir / written).string() << "\n";
      all = merge(all, r.verdict);
    }
    exit_code = exit_code_for(all);
  });
}

}  // namespace faultline
