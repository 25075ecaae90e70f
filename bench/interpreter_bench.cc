// Interpreter throughput and memory: the in-memory register client, concurrency 10, no rate limit,
// every event streamed to history.jsonl on disk. Prints ops/s and the resident memory as the run
// grows, which must stay flat (the history is never held in memory).
//   interpreter_bench [ops=2000000] [concurrency=10]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "harness/run/interpreter.h"
#include "targets/memory/memory_target.h"

namespace {

long rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace faultline;
  int64_t ops = argc > 1 ? std::atoll(argv[1]) : 2'000'000;
  int concurrency = argc > 2 ? std::atoi(argv[2]) : 10;
  auto path = std::filesystem::temp_directory_path() / "faultline-interpreter-bench.jsonl";
  auto target = memory_target("register", Json::object(), 1);
  HistoryWriter history(path);
  auto start = std::chrono::steady_clock::now();
  int64_t completions = 0;
  int64_t next_report = ops / 5;
  InterpreterOptions o;
  o.concurrency = concurrency;
  o.make_client = [&] { return target->make_client(); };
  o.history = &history;
  o.start = start;
  o.observe = [&](const Op& op) {
    if (op.is_invoke() || ++completions < next_report) return;
    next_report += ops / 5;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("  %9lld ops  %6.2f s  %9.0f ops/s  rss %6ld KiB\n", static_cast<long long>(completions), s,
                static_cast<double>(completions) / s, rss_kib());
  };
  Interpreter interpreter(std::move(o));
  auto gen = clients(
      limit(ops, fn([](const Context& ctx) -> std::optional<Op> {
              Op op;
              op.f = ctx.rng->below(2) ? "read" : "write";
              op.value = Json::array({ctx.rng->below(100), op.f == "read" ? Json(nullptr) : Json(ctx.rng->below(5))});
              return op;
            })));
  std::printf("interpreter: %lld ops, concurrency %d, history streamed to %s\n", static_cast<long long>(ops),
              concurrency, path.c_str());
  interpreter.run(gen);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("total: %.0f ops/s (target >= 200,000; Jepsen's generator ~20,000), history %.1f MB, rss %ld KiB\n",
              static_cast<double>(ops) / s, static_cast<double>(std::filesystem::file_size(path)) / 1e6, rss_kib());
  std::filesystem::remove(path);
}
