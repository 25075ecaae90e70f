// The checker engine against the anchors of issue 15, one line per row of its table: Porcupine on
// etcd-shaped cas-register histories and on its own kv files, Elle on big transactional histories,
// and a JSONL history the size of a 5 s memory-target run. Linearizability rows time the check alone
// (parse excluded), in this process, in CPU time (all threads); transactional rows time a whole `faultline check`
// process on a generated file, as a user would run it (txn_bench times the same histories' check alone). Every figure
// is the median of several runs; peak memory is the child's maximum RSS (wait4) or this process's (getrusage).
//   check_bench [--runs N] [--faultline PATH] [--dir DIR] [--only linear|txn]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "checkers/linear/history_gen.h"
#include "checkers/linear/linear_checker.h"
#include "checkers/registry.h"
#include "checkers/txn/generator.h"
#include "harness/core/history_io.h"

namespace {

using faultline::CheckOptions;
using faultline::History;
using faultline::Json;
namespace fs = std::filesystem;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double self_peak_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;
}

// CPU microseconds of this process (every thread, user and system): what a check costs, however
// loaded the machine is.
double cpu_us() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e6 + double(t.tv_nsec) / 1e3;
}

// CPU microseconds for one check of h, the median of `runs` runs of `batch` checks each (reading
// the CPU clock takes about a microsecond: a batch keeps it out of a check of a few). The compact
// form is made once beforehand, as a reader gives it to every checker of a run.
double check_us(const faultline::Checker& checker, const faultline::CompactHistory& h, const Json& options, int runs,
                faultline::Verdict* verdict = nullptr, int batch = 1) {
  CheckOptions o;
  o.options = options;
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    double start = cpu_us();
    for (int b = 0; b < batch; ++b) {
      auto r = checker.check(h, o);
      if (verdict) *verdict = r.verdict;
    }
    times.push_back((cpu_us() - start) / batch);
  }
  return median(times);
}

void header(const char* title) {
  std::printf("\n== %s ==\n", title);
  std::fflush(stdout);
}

void etcd_row(int runs) {
  header("Jepsen etcd cas-register shape: 102 histories, 5 live clients, ~85 ops, 7-19 crashed (check only, CPU)");
  auto checker = faultline::linear::linear_checker("cas-register");
  Json options = {{"initial-value", 0}};
  std::vector<double> per_history;
  int over_goal = 0;
  for (int i = 0; i < 102; ++i) {
    faultline::linear::GenSpec spec{
        .seed = uint64_t(i), .processes = 5, .ops = 85, .values = 5, .crash_rate = (7 + i % 13) / 85.0};
    faultline::CompactHistory h = faultline::compact(faultline::linear::generate_history(spec));
    double us = check_us(*checker, h, options, runs, nullptr, 10);
    per_history.push_back(us);
    over_goal += us > 5.0;
  }
  std::sort(per_history.begin(), per_history.end());
  std::printf("  anchor  Porcupine 40-300 us on the easy ones, 122 ms on the hardest\n");
  std::printf("  goal    >= 10x Porcupine on every history: <= 5 us for an easy 85-op history\n");
  std::printf(
      "  now     per history: fastest %.1f us, median %.1f us, slowest %.1f us; %d of 102 over 5 us; "
      "peak RSS %.0f MB\n",
      per_history.front(), median(per_history), per_history.back(), over_goal, self_peak_mb());
}

void kv_rows(const fs::path& data, int runs) {
  header("Porcupine kv files (../shared/data/porcupine/kv), kv model, initial value \"\" (check only, CPU)");
  auto checker = faultline::linear::linear_checker("kv");
  Json options = {{"initial-value", ""}};
  struct Anchor {
    const char* file;
    double porcupine_ms;
  };
  // Porcupine's own times on this machine kind (shared/data/README.md); c01 at its slower end.
  const Anchor anchors[] = {{"c01-ok.edn", 0.09},  {"c01-bad.edn", 0.09}, {"c10-ok.edn", 0.43},
                            {"c10-bad.edn", 0.43}, {"c50-bad.edn", 5.3},  {"c50-ok.edn", 136}};
  std::printf("  %-12s %12s %12s %12s %8s  %s\n", "file", "Porcupine ms", "goal ms", "faultline ms", "x", "verdict");
  for (const Anchor& a : anchors) {
    fs::path file = data / "porcupine" / "kv" / a.file;
    if (!fs::exists(file)) {
      std::printf("  %-12s missing (%s)\n", a.file, file.c_str());
      continue;
    }
    faultline::CompactHistory h = faultline::compact(faultline::read_history_file(file));
    faultline::Verdict v{};
    double ms = check_us(*checker, h, options, runs, &v) / 1000.0;
    std::printf("  %-12s %12.2f %12.3f %12.3f %8.1f  %s%s\n", a.file, a.porcupine_ms, a.porcupine_ms / 10, ms,
                a.porcupine_ms / ms, std::string(faultline::to_string(v)).c_str(),
                ms <= a.porcupine_ms / 10 ? "" : "  (goal not met)");
  }
  std::printf("  peak RSS %.0f MB\n", self_peak_mb());
}

struct ProcessRun {
  double seconds = 0;
  double cpu_seconds = 0;  // user + system: what the check costs, whatever else the machine runs
  double peak_mb = 0;
  int exit_code = -1;
};

// What `faultline check --model MODEL FILE` does, in a child of this process: read, validate,
// check; the exit code is the verdict's.
[[noreturn]] void check_in_child(const std::string& model, const std::string& file) {
  try {
    History h = faultline::read_history_file(file);
    faultline::validate(h, file);
    CheckOptions o;
    o.options["model"] = model;
    auto r = faultline::make_checker(model)->check(h, o);
    _exit(r.verdict == faultline::Verdict::kValid ? 0 : r.verdict == faultline::Verdict::kInvalid ? 1 : 2);
  } catch (...) {
    _exit(255);
  }
}

// Runs `faultline check` (the binary when `bin` exists, else the same work in a forked child) with
// output to /dev/null; wall time and the child's own peak RSS.
ProcessRun run_check(const std::string& bin, const std::string& model, const std::string& file) {
  std::vector<std::string> argv = {bin, "check", "--model", model, file};
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  bool exec = fs::exists(bin);
  std::fflush(stdout);  // or the child's freopen would print this process's buffered lines again
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    if (!exec) check_in_child(model, file);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage u{};
  wait4(pid, &status, 0, &u);
  ProcessRun r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.peak_mb = double(u.ru_maxrss) / 1024.0;
  r.cpu_seconds = double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

void write_history(const fs::path& file, const History& h, bool jsonl) {
  std::ofstream out(file, std::ios::binary);
  if (jsonl)
    faultline::write_jsonl(out, h);
  else
    faultline::write_edn(out, h);
}

struct TxnRow {
  const char* label;
  const char* anchor;
  double goal_seconds;
  double goal_mb;  // 0: no memory goal
  faultline::txn::HistoryShape shape;
  bool jsonl;
  std::string file;
};

void txn_rows(const std::string& faultline_bin, const fs::path& dir, int runs) {
  header("transactional, whole `faultline check` process on a generated file, strict-serializable");
  using faultline::txn::DataModel;
  using faultline::txn::HistoryShape;
  std::vector<TxnRow> rows = {
      {"list-append 1M ops (txn_bench shape), EDN", "Elle 22.8 s check + 12.5 s parse, 9.1 GB", 1.0, 300,
       HistoryShape{DataModel::kListAppend, 20, 500'000, 4, 10, 32}, false, "list-append-1m.edn"},
      {"list-append 100 sessions x 100 txns x 50 ops, EDN", "Elle 5.4 s, 4.45 GB", 0.4, 0,
       HistoryShape{DataModel::kListAppend, 100, 10'000, 50, 10, 32, 50}, false, "list-append-sessions.edn"},
      {"rw-register 1M ops, EDN", "Elle 21.2 s, 14 GB", 0.8, 0,
       HistoryShape{DataModel::kRwRegister, 20, 500'000, 4, 10, 32}, false, "rw-register-1m.edn"},
      {"list-append JSONL, 1.7M lines (5 s memory run size)", "-", 1.5, 0,
       HistoryShape{DataModel::kListAppend, 10, 850'000, 4, 8, 32}, true, "list-append-1.7m.jsonl"},
  };
  fs::create_directories(dir);
  std::printf("  %s\n", fs::exists(faultline_bin)
                            ? ("process: " + faultline_bin).c_str()
                            : "process: a forked child doing what `faultline check` does (binary not built)");
  std::printf("  %-52s %-40s %10s %10s %10s %10s %10s  %s\n", "history", "anchor", "goal s", "median s", "cpu s",
              "peak MB", "MB/s", "verdict");
  for (TxnRow& row : rows) {
    fs::path file = dir / row.file;
    if (!fs::exists(file)) {
      // Generated in a child, so this process's own memory stays small and its children's peak
      // RSS is theirs.
      std::fflush(stdout);
      pid_t pid = fork();
      if (pid == 0) {
        faultline::Rng rng(42);
        History h = faultline::txn::generate_valid(row.shape, rng);
        for (size_t i = 0; i < h.size(); ++i) h[i].time = int64_t(i) * 2'941;  // ~5 s for 1.7M events
        write_history(file.string() + ".tmp", h, row.jsonl);
        fs::rename(file.string() + ".tmp", file);
        _exit(0);
      }
      int status = 0;
      waitpid(pid, &status, 0);
    }
    double mb = double(fs::file_size(file)) / 1e6;
    std::string model = row.shape.model == DataModel::kListAppend ? "list-append" : "rw-register";
    std::vector<double> secs, cpu;
    double peak = 0;
    int code = -1;
    for (int i = 0; i < runs; ++i) {
      ProcessRun r = run_check(faultline_bin, model, file.string());
      secs.push_back(r.seconds);
      cpu.push_back(r.cpu_seconds);
      peak = std::max(peak, r.peak_mb);
      code = r.exit_code;
    }
    double s = median(secs);
    bool met = s <= row.goal_seconds && (row.goal_mb == 0 || peak <= row.goal_mb);
    char goal[32];
    std::snprintf(goal, sizeof goal, row.goal_mb ? "%.1f/%.0fMB" : "%.1f", row.goal_seconds, row.goal_mb);
    std::printf("  %-52s %-40s %10s %10.2f %10.2f %10.0f %10.0f  %s%s\n", row.label, row.anchor, goal, s, median(cpu),
                peak, mb / s,
                code == 0   ? "valid"
                : code == 1 ? "invalid"
                            : ("exit " + std::to_string(code)).c_str(),
                met ? "" : "  (goal not met)");
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::string faultline_bin = FAULTLINE_BIN;
  fs::path dir = fs::temp_directory_path() / "faultline-check-bench";
  fs::path data = FAULTLINE_DATA_DIR;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--runs")
      runs = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--faultline")
      faultline_bin = argv[i + 1];
    else if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--only")
      only = argv[i + 1];
    else {
      std::fprintf(stderr,
                   "check_bench: unknown flag %s; flags: --runs N --faultline PATH --dir DIR --only linear|txn\n",
                   argv[i]);
      return 254;
    }
  }
  std::printf("faultline checker engine vs issue 15's anchors; medians of %d runs; generated files in %s\n", runs,
              dir.c_str());
  if (only.empty() || only == "linear") {
    etcd_row(std::max(runs, 5));
    kv_rows(data, runs);
  }
  if (only.empty() || only == "txn") txn_rows(faultline_bin, dir, std::max(1, std::min(runs, 3)));
  return 0;
}
