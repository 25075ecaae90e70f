// Transactional checker benchmark: time and peak memory to check generated list-append and
// rw-register histories for strict serializability. Targets (issue 6): 1M-op list-append history
// in < 10 s and < 4 GB; 100 sessions x 100 txns x 50 micro-ops in < 10 s.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "checkers/txn/generator.h"
#include "checkers/txn/txn.h"

using namespace faultline;
using namespace faultline::txn;

namespace {

// CPU seconds of this process: wall time alone misleads on a shared machine.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;
}

void measure(const char* label, const HistoryShape& shape, const std::string& injected = "") {
  Rng rng(42);
  History h = generate_valid(shape, rng);
  if (!injected.empty()) inject(h, shape.model, injected, rng);
  size_t mops = 0;
  for (const Op& op : h)
    if (op.is_ok()) mops += op.value.size();
  auto start = std::chrono::steady_clock::now();
  double cpu_start = cpu_seconds();
  CheckResult r = check(h, CheckOptions{}, shape.model);
  double cpu = cpu_seconds() - cpu_start;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string types;
  for (const auto& t : r.details["anomaly-types"]) types += (types.empty() ? "" : ",") + t.get<std::string>();
  std::printf(
      "%-44s ops %8zu  txns %7zu  mops %8zu  edges %8zu  check %6.2f s (cpu %6.2f s)  "
      "%8.0f ops/s  peak RSS %6.0f MB  %s %s\n",
      label, h.size(), h.size() / 2, mops, r.details["edge-count"].get<size_t>(), secs, cpu, double(h.size()) / secs,
      peak_rss_mb(), std::string(to_string(r.verdict)).c_str(), types.c_str());
  std::fflush(stdout);
}

}  // namespace

int main() {
  HistoryShape la{DataModel::kListAppend, 20, 50'000, 4, 10, 32};
  measure("list-append 100k ops, strict-serializable", la);
  la.txns = 500'000;
  measure("list-append 1M ops, strict-serializable", la);
  measure("list-append 1M ops + stale read", la, "G-single-item-realtime");
  la.stale_read_rate = 0.01;
  measure("list-append 1M ops, 1% stale reads", la);
  la.stale_read_rate = 0;
  HistoryShape sessions{DataModel::kListAppend, 100, 10'000, 50, 10, 32, 50};
  measure("list-append 100 sessions x 100 txns x 50 ops", sessions);
  HistoryShape rw{DataModel::kRwRegister, 20, 500'000, 4, 10, 32};
  measure("rw-register 1M ops, strict-serializable", rw);
}
