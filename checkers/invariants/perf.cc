#include "checkers/invariants/perf.h"

#include <algorithm>
#include <map>
#include <optional>

#include "checkers/faults.h"
#include "checkers/invariants/common.h"
#include "harness/core/error.h"

namespace faultline {
namespace {

constexpr double kNanosPerMs = 1e6;
// Keeps the data the report draws bounded whatever the run length and bucket width.
constexpr size_t kMaxBuckets = 100000;

// One nemesis operation: its invocation (when recorded) and its completion.
struct NemesisOp {
  const Op* begin;
  const Op* end;
};

struct Sample {
  int64_t time;  // completion time
  double latency_ms;
};

CheckResult judge(const History& history, int64_t bucket_ns) {
  std::vector<int64_t> partner = pair_index(history);
  std::map<std::string, std::map<std::string, std::vector<Sample>>> samples;  // f -> type -> samples
  std::vector<NemesisOp> nemesis;
  int64_t unfinished = 0, end_time = 0;
  for (size_t i = 0; i < history.size(); ++i) {
    const Op& op = history[i];
    end_time = std::max(end_time, op.time);
    const Op* invocation = partner[i] >= 0 ? &history[partner[i]] : nullptr;
    if (op.is_nemesis()) {
      if (!op.is_invoke())
        nemesis.push_back({invocation ? invocation : &op, &op});
      else if (!invocation)
        nemesis.push_back({&op, &op});
      continue;
    }
    if (op.is_invoke()) {
      unfinished += invocation == nullptr;
      continue;
    }
    if (!invocation) continue;
    samples[op.f][std::string(to_string(op.type))].push_back(
        {op.time, static_cast<double>(op.time - invocation->time) / kNanosPerMs});
  }

  size_t bucket_count = static_cast<size_t>(end_time / bucket_ns) + 1;
  if (bucket_count > kMaxBuckets)
    fail(ErrorCode::kBadInput, "checker option \"bucket-ms\" gives " + std::to_string(bucket_count) +
                                   " buckets for this run; use a wider bucket (at most " + std::to_string(kMaxBuckets) +
                                   " buckets)");
  double bucket_s = static_cast<double>(bucket_ns) / 1e9;
  Json latency = Json::object(), throughput = Json::object(), over_time = Json::object();
  std::vector<double> over_time_points(invariants::standard_points().begin() + 1, invariants::standard_points().end());
  for (const auto& [f, by_type] : samples) {
    for (const auto& [type, list] : by_type) {
      std::vector<double> ms;
      std::vector<double> rate(bucket_count, 0);
      std::vector<std::vector<double>> per_bucket(bucket_count);
      double sum = 0;
      for (const Sample& s : list) {
        ms.push_back(s.latency_ms);
        sum += s.latency_ms;
        size_t b = static_cast<size_t>(std::max<int64_t>(0, s.time) / bucket_ns);
        rate[b] += 1 / bucket_s;
        per_bucket[b].push_back(s.latency_ms);
      }
      latency[f][type] = {{"count", list.size()},
                          {"mean-ms", sum / static_cast<double>(list.size())},
                          {"quantiles-ms", invariants::quantiles(ms, invariants::standard_points())}};
      throughput[f][type] = rate;
      if (type != "ok") continue;
      Json series = Json::array();
      for (size_t b = 0; b < bucket_count; ++b) {
        if (per_bucket[b].empty()) continue;
        Json point = invariants::quantiles(per_bucket[b], over_time_points);
        point["t-ms"] = static_cast<double>(b) * static_cast<double>(bucket_ns) / kNanosPerMs;
        point["count"] = per_bucket[b].size();
        series.push_back(std::move(point));
      }
      over_time[f] = std::move(series);
    }
  }
  Json nemesis_ops = Json::array();
  for (const NemesisOp& n : nemesis)
    nemesis_ops.push_back({{"f", n.end->f},
                           {"start-ns", n.begin->time},
                           {"end-ns", n.end->time},
                           {"index", n.end->index},
                           {"value", n.end->value}});

  Json windows = Json::array();
  for (const FaultWindow& w : fault_windows(history)) windows.push_back(to_json(w));

  CheckResult r;
  // Performance is never a judgement, but a history without a completed client op has nothing in it.
  bool judged =
      std::any_of(history.begin(), history.end(), [](const Op& op) { return op.is_client() && !op.is_invoke(); });
  r.verdict = judged ? Verdict::kValid : Verdict::kUnknown;
  if (!judged) r.explanation = "no client operation completed: no performance to report";
  r.details = {{"bucket-ms", static_cast<double>(bucket_ns) / kNanosPerMs},
               {"bucket-count", bucket_count},
               {"end-ns", end_time},
               {"latency", latency},
               {"throughput", throughput},
               {"latency-over-time", over_time},
               {"faults", windows},
               {"nemesis-ops", nemesis_ops},
               {"unfinished-count", unfinished}};
  return r;
}

class PerfChecker : public Checker {
 public:
  std::string name() const override { return "perf"; }
  CheckResult check(const HistoryView& input, const CheckOptions& options) const override {
    const History& history = input.ops();
    double bucket_ms = invariants::number_option(options, "bucket-ms", 1000);
    if (!(bucket_ms >= 0.001))
      fail(ErrorCode::kBadInput,
           "checker option \"bucket-ms\" must be at least 0.001, got " + std::to_string(bucket_ms));
    return judge(history, static_cast<int64_t>(bucket_ms * kNanosPerMs));
  }
};

}  // namespace

std::unique_ptr<Checker> perf_checker() { return std::make_unique<PerfChecker>(); }

}  // namespace faultline
