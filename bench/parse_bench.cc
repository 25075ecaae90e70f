// History readers at I/O speed: MB/s of the JSONL and EDN readers into the compact history, on one
// thread and on two, beside the goals (300 MB/s JSONL, 150 MB/s EDN on one core). The inputs are
// generated once (seeded) into a temp dir: a list-append JSONL file shaped like a 5 s memory-target
// run (~1.7M lines) and a list-append EDN history of txn_bench's shape (1M ops). Every figure is
// the median of several runs, each in a forked child whose peak RSS (wait4) is reported; the time
// includes reading the file (from the page cache).
//   parse_bench [--runs N] [--dir DIR]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "checkers/txn/generator.h"
#include "harness/core/history_io.h"

namespace {

namespace fs = std::filesystem;
using faultline::txn::DataModel;
using faultline::txn::HistoryShape;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Sample {
  double seconds = 0;
  double ops = 0;
  double bytes = 0;
  double peak_mb = 0;
  double cpu_seconds = 0;
};

// One read of `file` in a child: seconds, ops and bytes of the compact history, the child's peak RSS.
Sample read_in_child(const fs::path& file, unsigned threads) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Sample s;
    auto start = std::chrono::steady_clock::now();
    faultline::CompactHistory h = faultline::read_compact_history_file(file, threads);
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    s.ops = double(h.size());
    s.bytes = double(h.bytes());
    ssize_t n = write(fds[1], &s, sizeof s);
    _exit(n == sizeof s ? 0 : 1);
  }
  close(fds[1]);
  Sample s;
  ssize_t n = read(fds[0], &s, sizeof s);
  close(fds[0]);
  int status = 0;
  rusage u{};
  wait4(pid, &status, 0, &u);
  if (n != sizeof s) return {};
  s.peak_mb = double(u.ru_maxrss) / 1024.0;
  s.cpu_seconds = double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  return s;
}

void generate(const fs::path& file, const HistoryShape& shape, bool jsonl) {
  if (fs::exists(file)) return;
  // In a child, so that this process (and the children forked from it) stay small.
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    faultline::Rng rng(42);
    faultline::History h = faultline::txn::generate_valid(shape, rng);
    for (size_t i = 0; i < h.size(); ++i) h[i].time = int64_t(i) * 2'941;  // ~5 s for 1.7M events
    {
      std::ofstream out(file.string() + ".tmp", std::ios::binary);
      if (jsonl)
        faultline::write_jsonl(out, h);
      else
        faultline::write_edn(out, h);
    }
    fs::rename(file.string() + ".tmp", file);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  fs::path dir = fs::temp_directory_path() / "faultline-parse-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  fs::create_directories(dir);
  struct Row {
    const char* label;
    fs::path file;
    double goal_mb_s;
  };
  const fs::path jsonl = dir / "list-append-1.7m.jsonl", edn = dir / "list-append-1m.edn";
  generate(jsonl, HistoryShape{DataModel::kListAppend, 10, 850'000, 4, 8, 32}, true);
  generate(edn, HistoryShape{DataModel::kListAppend, 20, 500'000, 4, 10, 32}, false);
  const Row rows[] = {{"JSONL list-append, 1.7M lines", jsonl, 300}, {"EDN list-append, 1M ops", edn, 150}};
  std::printf("history readers into the compact history (file read included), median of %d runs\n", runs);
  std::printf(
      "  MB/s is by the wall clock; MB/cpu-s by the child's CPU time (user + sys), which a busy machine\n"
      "  does not skew: on one thread it is the one-core rate the goal speaks of\n");
  std::printf("  %-30s %6s %7s %6s %8s %9s %9s %8s %8s %9s %7s\n", "file", "MB", "threads", "goal", "MB/s", "MB/cpu-s",
              "median s", "cpu s", "peak MB", "ops", "B/op");
  for (const Row& row : rows) {
    const double mb = double(fs::file_size(row.file)) / 1e6;
    for (unsigned threads : {1u, 2u}) {
      std::vector<double> secs, cpu;
      Sample last;
      double peak = 0;
      for (int i = 0; i < runs; ++i) {
        last = read_in_child(row.file, threads);
        secs.push_back(last.seconds);
        cpu.push_back(last.cpu_seconds);
        peak = std::max(peak, last.peak_mb);
      }
      const double s = median(secs), c = median(cpu);
      const double rate = s > 0 ? mb / s : 0, cpu_rate = c > 0 ? mb / c : 0;
      std::printf("  %-30s %6.0f %7u %6.0f %8.0f %9.0f %9.3f %8.3f %8.0f %9.0f %7.1f%s\n", row.label, mb, threads,
                  row.goal_mb_s, rate, cpu_rate, s, c, peak, last.ops, last.ops > 0 ? last.bytes / last.ops : 0,
                  threads == 1 && cpu_rate < row.goal_mb_s ? "  (below goal)" : "");
    }
  }
  return 0;
}
