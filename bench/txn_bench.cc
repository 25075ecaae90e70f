// Transactional checker benchmark, check alone (parse excluded): each history is generated, made
// compact once (as a reader would give it), its JSON form dropped, and then the strict-serializable
// check timed on HistoryView(compact), the median of several runs. Peak memory is this process's
// high-water mark since just before the first check (reset through /proc/self/clear_refs): the
// compact history and the checker, not the generator. The rows are issue 15's (Elle's
// check-only anchors beside them); whole `faultline check` processes are check_bench's txn rows.
//   txn_bench [--runs N] [--only TEXT] [--phases 1]   (TEXT: rows whose label contains it; phases:
//   the time of each step of one more check)
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "checkers/txn/generator.h"
#include "checkers/txn/graph.h"
#include "checkers/txn/inference.h"
#include "checkers/txn/txn.h"

using namespace faultline;
using namespace faultline::txn;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// VmHWM or VmRSS of this process, in MB.
double status_mb(const char* field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field, 0) == 0) return std::atof(line.c_str() + std::strlen(field)) / 1024.0;
  return 0;
}

// Starts a new high-water mark at the current RSS (Linux: "5" resets VmHWM).
void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Row {
  const char* label;
  const char* anchor;   // Elle, check alone
  double goal_seconds;  // 0: none
  HistoryShape shape;
  std::string injected;
};

// Where the time of one check goes, by the checker's own steps (the same calls check() makes).
void phases(const CompactHistory& compact, DataModel model) {
  auto t = std::chrono::steady_clock::now();
  auto lap = [&](const char* what) {
    auto now = std::chrono::steady_clock::now();
    std::printf("    %-22s %8.3f s\n", what, std::chrono::duration<double>(now - t).count());
    t = now;
  };
  TxnHistory h = parse_txns(compact, model);
  lap("parse_txns");
  Inference inf = model == DataModel::kListAppend ? infer_list_append(h) : infer_rw_register(h, {});
  lap("inference");
  std::vector<Edge> edges = std::move(inf.edges);
  auto session = session_edges(h);
  edges.insert(edges.end(), session.begin(), session.end());
  lap("session edges");
  TxnGraph graph(h.txns.size(), std::move(edges));
  lap("graph");
  auto components = cyclic_components(graph, kDataKinds | kProcess | kRealtime);
  lap("components");
  std::fflush(stdout);
}

bool show_phases = false;

void measure(const Row& row, int runs) {
  CompactHistory compact;
  size_t mops = 0;
  {
    Rng rng(42);
    History h = generate_valid(row.shape, rng);
    if (!row.injected.empty()) inject(h, row.shape.model, row.injected, rng);
    for (const Op& op : h)
      if (op.is_ok()) mops += op.value.size();
    compact = faultline::compact(h);
  }
  malloc_trim(0);  // hand the generator's memory back, so the peak is the check's
  reset_peak();
  std::vector<double> wall, cpu;
  CheckResult r;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    double cpu_start = cpu_seconds();
    r = check(HistoryView(compact), CheckOptions{}, row.shape.model);
    cpu.push_back(cpu_seconds() - cpu_start);
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::string types;
  for (const auto& t : r.details["anomaly-types"]) types += (types.empty() ? "" : ",") + t.get<std::string>();
  double s = median(wall);
  char goal[16] = "-";
  if (row.goal_seconds > 0) std::snprintf(goal, sizeof goal, "%.2f", row.goal_seconds);
  std::printf("  %-46s %-22s %6s %8.3f %8.3f %9zu %9zu %9zu %8.0f %8.0f  %s %s%s\n", row.label, row.anchor, goal, s,
              median(cpu), compact.size(), mops, r.details["edge-count"].get<size_t>(), double(compact.bytes()) / 1e6,
              status_mb("VmHWM:"), std::string(to_string(r.verdict)).c_str(), types.c_str(),
              row.goal_seconds > 0 && s > row.goal_seconds ? "  (goal not met)" : "");
  std::fflush(stdout);
  if (show_phases) phases(compact, row.shape.model);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::string only;  // rows whose label contains it
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    if (std::string(argv[i]) == "--only") only = argv[i + 1];
    if (std::string(argv[i]) == "--phases") show_phases = std::string(argv[i + 1]) == "1";
  }
  HistoryShape la{DataModel::kListAppend, 20, 500'000, 4, 10, 32};
  HistoryShape sessions{DataModel::kListAppend, 100, 10'000, 50, 10, 32, 50};
  HistoryShape rw{DataModel::kRwRegister, 20, 500'000, 4, 10, 32};
  HistoryShape stale = la;
  stale.stale_read_rate = 0.01;
  HistoryShape memory_run{DataModel::kListAppend, 10, 850'000, 4, 8, 32};  // check_bench's JSONL row
  HistoryShape small = la;
  small.txns = 50'000;
  const Row rows[] = {
      {"list-append 100k ops", "-", 0, small, ""},
      {"list-append 1M ops", "Elle 22.8 s, 9.1 GB", 0, la, ""},
      {"list-append 1M ops + G-single-item-realtime", "-", 0, la, "G-single-item-realtime"},
      {"list-append 1M ops, 1% stale reads", "-", 0, stale, ""},
      {"list-append 100 sessions x 100 txns x 50 ops", "Elle 5.4 s, 4.45 GB", 0, sessions, ""},
      {"rw-register 1M ops", "Elle 21.2 s, 14 GB", 0, rw, ""},
      {"list-append 1.7M ops (the JSONL row's history)", "-", 0, memory_run, ""},
  };
  std::printf(
      "txn checker, check alone on the compact history, strict-serializable; medians of %d runs\n"
      "(whole-process goals are check_bench's: 1 M list-append <= 1 s and <= 300 MB, sessions <= 0.4 s, "
      "rw-register <= 0.8 s)\n",
      runs);
  std::printf("  %-46s %-22s %6s %8s %8s %9s %9s %9s %8s %8s  %s\n", "history", "anchor", "goal", "wall s", "cpu s",
              "ops", "mops", "edges", "hist MB", "peak MB", "verdict");
  for (const Row& row : rows)
    if (std::string(row.label).find(only) != std::string::npos) measure(row, runs);
}
