// The runner: one test from spec to verdict (DESIGN.md "Data flow of one run").
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

#include "checkers/checker.h"
#include "harness/core/spec.h"

namespace faultline {

struct RunOutcome {
  Verdict verdict = Verdict::kUnknown;
  int exit_code = 2;  // 0 valid, 1 invalid, 2 unknown, 255 harness error
  std::filesystem::path run_dir;
  std::string summary;  // one line: verdict, counts, where the report is
};

// Runs the test; results.json records `faultline test --spec RUN_DIR/spec.json` (the spec with its
// seed) as the command that reproduces it. The main phase stops early when `interrupted` becomes true; the final phase
// (heal, final reads) and teardown always run, and the history written so far is always checked.
// Throws Error only for problems found before anything started (bad spec, unknown names,
// unwritable store); later failures end up in results.json with exit code 255.
// `announce`, when given, is told the spec as it will run (its nodes resolved) before setup starts.
RunOutcome run_test(const Spec& spec, const std::atomic<bool>& interrupted,
                    const std::function<void(const Spec&)>& announce = {});

// Re-checks a stored run: reads its spec.json and history.jsonl, rewrites results.json.
RunOutcome analyze_run(const std::filesystem::path& run_dir);

int exit_code_for(Verdict verdict);

}  // namespace faultline
