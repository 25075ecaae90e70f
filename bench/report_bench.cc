// Prints how long write_report takes and how large report.html gets for a synthetic run of
// N client operations (default 1,000,000; each an invocation and a completion in the history).
// Usage: report_bench [ops] [dir]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "results/report.h"
#include "results/report_fixture.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  size_t ops = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  fs::path dir =
      argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path() / ("faultline-report-bench-" + std::to_string(getpid()));
  fs::remove_all(dir);
  faultline::SyntheticFacts facts = faultline::write_synthetic_run(dir, {.ops = ops, .concurrency = 10, .seed = 1});
  auto start = std::chrono::steady_clock::now();
  faultline::write_report(dir);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("report for %zu client ops (%zu history lines, history.jsonl %.1f MB): %.2f s, report.html %.1f KB\n",
              ops, facts.history_ops, fs::file_size(dir / "history.jsonl") / 1e6, seconds,
              fs::file_size(dir / "report.html") / 1e3);
  if (argc <= 2) fs::remove_all(dir);
  return 0;
}
