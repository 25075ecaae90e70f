#include "results/report_fixture.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/history_io.h"
#include "harness/core/random.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

struct ClientOp {
  int64_t process;
  int64_t start_ns, end_ns;
  int f;  // 0 read, 1 write
  OpType outcome;
  int64_t value;
};

struct NemesisOp {
  int64_t start_ns, end_ns;
  std::string f;
  Json value;
};

struct Event {
  int64_t time;
  bool nemesis;
  size_t id;
  bool completion;
};

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) fail(ErrorCode::kIo, "cannot write " + path.string());
}

// Partitions, kills and clock bumps in five cycles over the expected length of the run.
std::vector<NemesisOp> fault_schedule(int64_t expected_ns, const std::string& hostile) {
  std::vector<NemesisOp> ops;
  const int64_t step = 1'000'000;  // each nemesis op takes a millisecond
  auto at = [&](int cycle, double phase) { return static_cast<int64_t>((cycle + phase) / 5 * expected_ns); };
  for (int k = 0; k < 5; ++k) {
    Json grudge = {{"n1", {"n2", "n3"}}, {"note", hostile}};
    ops.push_back({at(k, 0.1), at(k, 0.1) + step, "start-partition", grudge});
    ops.push_back({at(k, 0.4), at(k, 0.4) + step, "stop-partition", "network healed"});
    ops.push_back({at(k, 0.5), at(k, 0.5) + step, "kill", {{"n2", {1234 + k}}}});
    ops.push_back({at(k, 0.6), at(k, 0.6) + step, "start", {"n2"}});
    ops.push_back({at(k, 0.7),
                   at(k, 0.7) + step,
                   "bump-clock",
                   {{"clock-offsets", {{"n1", 0.25 * (k + 1)}, {"n2", 0.0}, {"n3", -0.1 * k}}}}});
    ops.push_back(
        {at(k, 0.9), at(k, 0.9) + step, "reset-clock", {{"clock-offsets", {{"n1", 0.0}, {"n2", 0.0}, {"n3", 0.0}}}}});
  }
  return ops;
}

bool partitioned(const std::vector<NemesisOp>& faults, int64_t t) {
  for (size_t i = 0; i + 1 < faults.size(); ++i)
    if (faults[i].f == "start-partition" && faults[i].start_ns <= t && t <= faults[i + 1].end_ns) return true;
  return false;
}

}  // namespace

SyntheticFacts write_synthetic_run(const fs::path& dir, const SyntheticRun& run) {
  fs::create_directories(dir);
  Rng rng(run.seed);
  const int64_t expected_ns = static_cast<int64_t>(run.ops) / run.concurrency * 2'300'000;
  std::vector<NemesisOp> faults = fault_schedule(expected_ns, run.hostile_value);

  // Each worker thread runs its ops back to back; an info completion moves it to a new process.
  std::vector<ClientOp> ops;
  ops.reserve(run.ops);
  std::vector<int64_t> free_at(run.concurrency, 0), process(run.concurrency);
  for (int t = 0; t < run.concurrency; ++t) process[t] = t;
  for (size_t i = 0; i < run.ops; ++i) {
    int t = static_cast<int>(i % run.concurrency);
    int64_t start = free_at[t] + 1000 + static_cast<int64_t>(rng.below(400'000));
    double latency_ms = std::exp((rng.unit() + rng.unit() + rng.unit() - 1.5) * 1.2);
    OpType outcome = rng.chance(0.02) ? OpType::kFail : OpType::kOk;
    if (partitioned(faults, start)) {
      latency_ms *= 5;
      if (rng.chance(0.3)) {
        outcome = OpType::kInfo;
        latency_ms = 50 + rng.unit() * 10;
      }
    }
    int64_t end = start + static_cast<int64_t>(latency_ms * 1e6) + 1;
    ops.push_back(
        {process[t], start, end, static_cast<int>(rng.below(2)), outcome, static_cast<int64_t>(rng.below(5))});
    free_at[t] = end;
    if (outcome == OpType::kInfo) process[t] += run.concurrency;
  }
  size_t hostile = run.ops / 2;
  ops[hostile].f = 1;

  std::vector<Event> events;
  events.reserve(2 * (ops.size() + faults.size()));
  for (size_t i = 0; i < ops.size(); ++i) {
    events.push_back({ops[i].start_ns, false, i, false});
    events.push_back({ops[i].end_ns, false, i, true});
  }
  for (size_t i = 0; i < faults.size(); ++i) {
    events.push_back({faults[i].start_ns, true, i, false});
    events.push_back({faults[i].end_ns, true, i, true});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time < b.time; });

  SyntheticFacts facts;
  std::vector<int64_t> failed;  // indices of fail completions, for the checker to name
  std::ofstream history(dir / "history.jsonl", std::ios::binary);
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    Op op;
    op.index = static_cast<int64_t>(i);
    op.time = e.time;
    if (e.nemesis) {
      const NemesisOp& n = faults[e.id];
      op.process = kNemesisProcess;
      op.f = n.f;
      op.type = e.completion ? OpType::kInfo : OpType::kInvoke;
      if (e.completion) op.value = n.value;
    } else {
      const ClientOp& c = ops[e.id];
      op.process = c.process;
      op.f = c.f ? "write" : "read";
      op.type = e.completion ? c.outcome : OpType::kInvoke;
      bool known = c.f == 1 || (e.completion && c.outcome == OpType::kOk);
      if (known) op.value = c.value;
      if (e.id == hostile) {
        op.value = run.hostile_value;
        if (!e.completion) facts.hostile_op_index = op.index;
      }
      if (e.completion && c.outcome == OpType::kInfo) op.error = "timeout";
      if (e.completion && c.outcome == OpType::kFail && failed.size() < 3) failed.push_back(op.index);
    }
    history << jsonl_line(op);
  }
  history.close();
  if (!history) fail(ErrorCode::kIo, "cannot write " + (dir / "history.jsonl").string());
  facts.history_ops = events.size();

  double duration_s = static_cast<double>(events.empty() ? 0 : events.back().time) / 1e9;
  Json test = {{"name", "synthetic-register"},
               {"target", "in-memory"},
               {"workload", "register"},
               {"nemesis", {"partition", "kill", "clock"}},
               {"seed", run.seed},
               {"nodes", {"n1", "n2", "n3"}},
               {"concurrency", run.concurrency},
               {"time_limit_s", 60},
               {"rate", 1000},
               {"started", "2026-01-01T00:00:00Z"},
               {"duration_s", duration_s},
               {"command", "faultline test --workload register --nemesis partition,kill,clock --seed " +
                               std::to_string(run.seed)}};
  Json results = {{"valid", "invalid"},
                  {"exit_code", 1},
                  {"test", test},
                  {"checkers",
                   {{"linearizable",
                     {{"valid", "invalid"},
                      {"explanation", "op " + std::to_string(facts.hostile_op_index) + " wrote " + run.hostile_value +
                                          " but no read observed it"},
                      {"files", {"checker/anomaly.svg"}},
                      {"anomalies", {{"lost-write", {{{"op", {{"index", facts.hostile_op_index}}}}}}}},
                      {"op", {{"index", facts.hostile_op_index}, {"f", "write"}, {"value", run.hostile_value}}},
                      {"related", {{"indices", failed}}}}},
                    {"stats", {{"valid", "valid"}, {"by-f", {{"read", {{"ok", 1}}}, {"write", {{"ok", 1}}}}}}}}}};
  write_file(dir / "results.json", results.dump(2));
  write_file(dir / "spec.json", test.dump(2));
  write_file(dir / "checker" / "anomaly.svg",
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"240\" height=\"60\">"
             "<rect width=\"240\" height=\"60\" fill=\"#fde\"/><text x=\"10\" y=\"35\">lost write</text></svg>\n");
  for (const char* node : {"n1", "n2", "n3"})
    write_file(dir / "nodes" / node / "server.log", std::string("started ") + node + "\n" + run.hostile_value + "\n");
  return facts;
}

}  // namespace faultline
