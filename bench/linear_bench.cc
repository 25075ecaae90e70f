// Linearizability checker benchmark on seeded, generated histories of the shapes in issue 5, printed
// next to the anchor figures measured for Porcupine and Knossos on real histories of those shapes.
// Each history is made compact once (as a reader gives it to the checkers); a time is the median of
// 5 checks of it, parse and compaction excluded. Peak memory is the search's own peak.
//   linear_bench [--quick]   (--quick: fewer histories, for a smoke run)
//   linear_bench --loop etcd|FILE [MODEL] [SECONDS]   (checks one history over and over, for perf)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include <vector>

#include "checkers/linear/history_gen.h"
#include "checkers/linear/linear_checker.h"
#include "harness/core/compact_history.h"
#include "harness/core/history_io.h"

namespace {

using faultline::CheckOptions;
using faultline::CheckResult;
using faultline::History;
using faultline::Verdict;
using faultline::linear::GenSpec;

struct Tally {
  int valid = 0, invalid = 0, unknown = 0;
  double total_ms = 0, hardest_ms = 0, slowest_part_ms = 0;
  double peak_mb = 0;

  void add(const CheckResult& r, double ms) {
    (r.verdict == Verdict::kValid ? valid : r.verdict == Verdict::kInvalid ? invalid : unknown)++;
    total_ms += ms;
    hardest_ms = std::max(hardest_ms, ms);
    slowest_part_ms = std::max(slowest_part_ms, r.details.value("slowest-part-ms", 0.0));
    peak_mb = std::max(peak_mb, r.details.value("peak-memory-bytes", int64_t{0}) / 1048576.0);
  }
  std::string verdicts() const {
    return std::to_string(valid) + " valid, " + std::to_string(invalid) + " invalid, " + std::to_string(unknown) +
           " unknown";
  }
};

// Checks h; the time kept is the median of five runs (fewer when slow enough that noise does not
// matter).
void timed_check(const std::string& model, const History& history, const faultline::Json& options, Tally& tally) {
  faultline::CompactHistory h = faultline::compact(history);
  CheckOptions o;
  o.options = options;
  auto checker = faultline::linear::linear_checker(model);
  CheckResult r;
  std::vector<double> times;
  for (int run = 0; run < 5; ++run) {
    auto started = std::chrono::steady_clock::now();
    r = checker->check(h, o);
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    if (times.back() > 1000) break;
  }
  std::sort(times.begin(), times.end());
  tally.add(r, times[times.size() / 2]);
}

// User and system CPU seconds of this process: what a check costs, whatever else the machine runs.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// Checks one history for `seconds`, for a profiler: a generated etcd-shaped one or a file.
int loop(const std::string& what, const std::string& model, double seconds) {
  History history = what == "etcd" ? faultline::linear::generate_history(
                                         {.seed = 1, .processes = 5, .ops = 85, .values = 5, .crash_rate = 12 / 85.0})
                                   : faultline::read_history_file(what);
  faultline::CompactHistory h = faultline::compact(history);
  CheckOptions o;
  o.options = {{"initial-value", model == "kv" ? faultline::Json("") : faultline::Json(0)}};
  auto checker = faultline::linear::linear_checker(model);
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  long checks = 0;
  CheckResult r;
  double cpu_started = cpu_seconds();
  auto started = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < until) {
    r = checker->check(h, o);
    ++checks;
  }
  double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started).count();
  double cpu_us = (cpu_seconds() - cpu_started) * 1e6;
  std::printf("%ld checks, %.2f us each (%.2f CPU us); %s, %lld configurations\n", checks, us / double(checks),
              cpu_us / double(checks), std::string(faultline::to_string(r.verdict)).c_str(),
              static_cast<long long>(r.details.value("configurations", int64_t{0})));
  return 0;
}

void etcd_shape(int count) {
  // 5 client threads, about 80 ops, 7-19 crashed ops, values 0-4 (like Jepsen's etcd cas-register).
  Tally good, bad, stale;
  size_t ops = 0;
  for (int i = 0; i < count; ++i) {
    GenSpec spec{
        .seed = static_cast<uint64_t>(i), .processes = 5, .ops = 80, .values = 5, .crash_rate = (7 + i % 13) / 80.0};
    History h = faultline::linear::generate_history(spec);
    ops += h.size();
    faultline::Json options = {{"initial-value", 0}};
    timed_check("cas-register", h, options, good);
    timed_check("cas-register", faultline::linear::corrupt_history(h, i), options, bad);
    timed_check("cas-register", faultline::linear::stale_read_history(h, i), options, stale);
  }
  std::printf("\n== cas-register, etcd shape: %d histories, 5 clients, 80 ops, 7-19 crashed, values 0-4 ==\n", count);
  std::printf("  (%zu history events in total)\n", ops);
  std::printf("  %-34s %12s %12s %10s   %s\n", "", "total ms", "hardest ms", "peak MB", "verdicts");
  std::printf("  %-34s %12.0f %12.0f %10.0f   %s\n", "anchor: Porcupine (real histories)", 455.0, 173.0, 28.0,
              "Knossos: 4 undecided after 10 s");
  std::printf("  %-34s %12.2f %12.2f %10.2f   %s\n", "faultline, simulated (valid)", good.total_ms, good.hardest_ms,
              good.peak_mb, good.verdicts().c_str());
  std::printf("  %-34s %12.2f %12.2f %10.2f   %s\n", "faultline, garbage-read copies", bad.total_ms, bad.hardest_ms,
              bad.peak_mb, bad.verdicts().c_str());
  std::printf("  %-34s %12.2f %12.2f %10.2f   %s\n", "faultline, stale-read copies", stale.total_ms, stale.hardest_ms,
              stale.peak_mb, stale.verdicts().c_str());
  std::printf("  speed-up over the anchor: %.0fx in total, %.0fx on the hardest\n",
              455.0 / std::max(good.total_ms, 1e-3), 173.0 / std::max(good.hardest_ms, 1e-3));
}

void kv_shape(int count, int values) {
  // 2,000 ops over 10 keys, get/put/append, 10 clients, some crashes (Porcupine's kv test shape).
  Tally good, bad;
  for (int i = 0; i < count; ++i) {
    GenSpec spec{.shape = GenSpec::Shape::kKv,
                 .seed = static_cast<uint64_t>(1000 + i),
                 .processes = 10,
                 .ops = 2000,
                 .values = values,
                 .keys = 10,
                 .crash_rate = 0.05};
    History h = faultline::linear::generate_history(spec);
    timed_check("kv", h, faultline::Json::object(), good);
    timed_check("kv", faultline::linear::corrupt_history(h, i), faultline::Json::object(), bad);
  }
  std::printf("\n== kv, %d histories of 2,000 ops over 10 keys (get/put/append, 10 clients, 5%% crashed), %s ==\n",
              count, values == 0 ? "unique written tokens" : "written values: one digit (ambiguous, stress)");
  std::printf("  %-34s %12s %14s %10s   %s\n", "", "total ms", "slowest key ms", "peak MB", "verdicts");
  if (values == 0) {
    std::printf("  %-34s %12s %14s %10s   %s\n", "anchor: Porcupine (one history)", "28 (early)", "> 10000", "-",
                "4 of 10 keys undecided after 10 s each");
    std::printf("  %-34s %12s %14s %10s   %s\n", "target", "-", "< 1000", "tens", "every key decided");
  }
  std::printf("  %-34s %12.2f %14.2f %10.2f   %s\n", "faultline, simulated (valid)", good.total_ms,
              good.slowest_part_ms, good.peak_mb, good.verdicts().c_str());
  std::printf("  %-34s %12.2f %14.2f %10.2f   %s\n", "faultline, garbage-read copies", bad.total_ms,
              bad.slowest_part_ms, bad.peak_mb, bad.verdicts().c_str());
}

void stress_shape(int count) {
  // Beyond the anchors: long single-register histories with many clients and many crashed ops.
  Tally good, bad, stale;
  for (int i = 0; i < count; ++i) {
    GenSpec spec{
        .seed = static_cast<uint64_t>(5000 + i), .processes = 10, .ops = 1000, .values = 5, .crash_rate = 0.15};
    History h = faultline::linear::generate_history(spec);
    faultline::Json options = {{"initial-value", 0}};
    timed_check("cas-register", h, options, good);
    timed_check("cas-register", faultline::linear::corrupt_history(h, i), options, bad);
    timed_check("cas-register", faultline::linear::stale_read_history(h, i), options, stale);
  }
  std::printf("\n== cas-register stress (no anchor): %d histories, 10 clients, 1,000 ops, 15%% crashed ==\n", count);
  std::printf("  %-34s %12s %12s %10s   %s\n", "", "total ms", "hardest ms", "peak MB", "verdicts");
  std::printf("  %-34s %12.2f %12.2f %10.2f   %s\n", "faultline, simulated (valid)", good.total_ms, good.hardest_ms,
              good.peak_mb, good.verdicts().c_str());
  std::printf("  %-34s %12.2f %12.2f %10.2f   %s\n", "faultline, garbage-read copies", bad.total_ms, bad.hardest_ms,
              bad.peak_mb, bad.verdicts().c_str());
  std::printf("  %-34s %12.2f %12.2f %10.2f   %s\n", "faultline, stale-read copies", stale.total_ms, stale.hardest_ms,
              stale.peak_mb, stale.verdicts().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::strcmp(argv[1], "--loop") == 0)
    return loop(argv[2], argc > 3 ? argv[3] : "cas-register", argc > 4 ? std::atof(argv[4]) : 5);
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  std::printf(
      "faultline linearizability benchmark: seeded, generated histories; budget 10 s per check;\n"
      "each time is the median of 5 runs, parse excluded. Anchors were measured on real histories of the same "
      "shape.\n");
  etcd_shape(quick ? 10 : 102);
  kv_shape(quick ? 1 : 10, 0);
  kv_shape(quick ? 1 : 10, 10);
  stress_shape(quick ? 1 : 5);
  return 0;
}
