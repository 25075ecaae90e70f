#include "nemesis/schedule.h"

#include <memory>

#include "harness/core/error.h"
#include "nemesis/partition.h"

namespace faultline {

const std::vector<FaultKind>& fault_kinds() {
  // Heals run in this order: power first, since no other heal reaches a node that is off.
  static const std::vector<FaultKind> kinds = {
      {"power", "power-off", "power-on", "off", true},
      {"partition", "start-partition", "stop-partition", nullptr, false},
      {"loss", "start-loss", "stop-loss", nullptr, false},
      {"netem", "start-netem", "stop-netem", nullptr, false},
      {"bandwidth", "start-bandwidth", "stop-bandwidth", nullptr, false},
      {"pause", "pause", "resume", "paused", true},
      {"kill", "kill", "start", "killed", true},
      {"clock", "bump-clock", "reset-clock", {{"nodes", "all"}}, false},
      {"corrupt", "corrupt-file", "", nullptr, true},
  };
  return kinds;
}

const FaultKind& fault_kind_of(const std::string& f) {
  std::string known;
  for (const auto& kind : fault_kinds()) {
    if (f == kind.start || f == kind.stop || (kind.name == "clock" && f == "strobe-clock")) return kind;
    known += (known.empty() ? "" : ", ") + kind.start + (kind.stop.empty() ? "" : ", " + kind.stop);
  }
  fail(ErrorCode::kBadInput, "unknown nemesis f \"" + f + "\"; known: " + known + ", strobe-clock");
}

namespace {

// One of the kind's node selectors ("targets" option: a list of selectors to pick from).
Json pick_targets(const Json& options, std::vector<std::string> fallback, Rng& rng) {
  Json targets = options.value("targets", Json(fallback));
  if (!targets.is_array() || targets.empty()) fail(ErrorCode::kBadInput, "nemesis option \"targets\" must be a non-empty list of node selectors");
  return targets[rng.below(targets.size())];
}

Op start_op(const FaultKind& kind, const Json& all_options, Rng& rng) {
  Json o = all_options.value(kind.name, Json::object());
  if (!o.is_object()) fail(ErrorCode::kBadInput, "nemesis options for \"" + kind.name + "\" must be an object");
  Op op;
  op.f = kind.start;
  const std::vector<std::string> some = {"one", "minority", "majority", "all"};
  if (kind.name == "partition") {
    Json shapes = o.value("shapes", Json(partition_shapes()));
    if (!shapes.is_array() || shapes.empty()) fail(ErrorCode::kBadInput, "nemesis option partition.shapes must be a non-empty list");
    op.value = shapes[rng.below(shapes.size())];
  } else if (kind.name == "loss") {
    op.value = {{"probability", o.value("probability", 0.3)}, {"nodes", pick_targets(o, {"all", "one", "minority"}, rng)}};
  } else if (kind.name == "netem") {
    op.value = {{"nodes", pick_targets(o, {"all"}, rng)}, {"delay-ms", o.value("delay-ms", 100.0)}, {"jitter-ms", o.value("jitter-ms", 50.0)}};
  } else if (kind.name == "bandwidth") {
    op.value = {{"nodes", pick_targets(o, {"all"}, rng)}, {"rate", o.value("rate", "1mbit")}};
  } else if (kind.name == "clock") {
    double max = o.value("max-delta", 10.0);
    double delta = (rng.chance(0.5) ? 1 : -1) * max * (0.1 + 0.9 * rng.unit());
    delta = static_cast<double>(std::llround(delta * 1000)) / 1000;
    op.value = {{"nodes", pick_targets(o, some, rng)}, {"delta", delta}};
    if (rng.chance(0.5)) {
      op.f = "strobe-clock";
      op.value["period-ms"] = o.value("period-ms", 100.0);
      op.value["duration"] = o.value("duration", 2.0);
    }
  } else if (kind.name == "power") {
    op.value = {{"nodes", pick_targets(o, {"one", "minority"}, rng)}};  // a majority stays up
  } else if (kind.name == "corrupt") {
    op.value = {{"nodes", pick_targets(o, {"one"}, rng)}, {"mode", rng.chance(0.5) ? "truncate" : "bitflip"}};
  } else {
    op.value = {{"nodes", pick_targets(o, some, rng)}};
  }
  return op;
}

Gen op_gen(Op op) { return once_op(std::move(op)); }

// Emits each step at its time after the first time it is asked.
class Scripted : public Generator {
 public:
  explicit Scripted(std::vector<ScheduleStep> steps) : steps_(std::move(steps)) {}
  Next next(const Context& ctx) override {
    if (next_ >= steps_.size()) return Next::exhausted();
    if (start_ < 0) start_ = ctx.time;
    int64_t due = start_ + seconds(steps_[next_].at);
    if (ctx.time < due || ctx.free.empty()) return Next::pending(ctx.free.empty() ? INT64_MAX : due);
    Op op;
    op.f = steps_[next_].f;
    op.value = steps_[next_].value;
    op.process = ctx.process(ctx.free.front());
    op.time = ctx.time;
    ++next_;
    return Next::of(std::move(op));
  }

 private:
  std::vector<ScheduleStep> steps_;
  size_t next_ = 0;
  int64_t start_ = -1;
};

}  // namespace

Gen random_schedule(const std::vector<FaultKind>& kinds, double interval, const Json& options, uint64_t seed) {
  if (!(interval > 0)) fail(ErrorCode::kBadInput, "--nemesis-interval must be positive");
  std::vector<Gen> loops;
  for (const auto& kind : kinds) {
    Rng trial(seed);
    start_op(kind, options, trial);  // rejects bad options before the run starts
    auto rng = std::make_shared<Rng>(Rng(seed).fork("schedule-" + kind.name));
    loops.push_back(cycle([kind, interval, options, rng] {
      int64_t before = seconds(interval * (0.5 + rng->unit()));
      Op start = start_op(kind, options, *rng);
      int64_t during = seconds(interval * (0.5 + rng->unit()));
      Gen stop = kind.stop.empty() ? nothing() : once_op(kind.stop, kind.stop_value);
      return then(sleep_for(before), then(op_gen(std::move(start)), then(sleep_for(during), stop)));
    }));
  }
  return any(std::move(loops));
}

std::vector<ScheduleStep> parse_schedule(const Json& steps, const std::string& source) {
  if (!steps.is_array()) fail(ErrorCode::kBadInput, source + ": a schedule is a JSON list of {\"at\": seconds, \"f\": …, \"value\": …}");
  std::vector<ScheduleStep> out;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Json& s = steps[i];
    std::string where = source + " step " + std::to_string(i + 1);
    if (!s.is_object() || !s.contains("at") || !s["at"].is_number() || !s.contains("f") || !s["f"].is_string())
      fail(ErrorCode::kBadInput, where + ": needs a number \"at\" and a string \"f\"");
    ScheduleStep step{s["at"].get<double>(), s["f"].get<std::string>(), s.value("value", Json())};
    if (step.at < 0 || (!out.empty() && step.at < out.back().at))
      fail(ErrorCode::kBadInput, where + ": \"at\" must be >= 0 and not before the previous step");
    try {
      fault_kind_of(step.f);
    } catch (const Error& e) {
      fail(ErrorCode::kBadInput, where + ": " + e.what());
    }
    out.push_back(std::move(step));
  }
  return out;
}

Gen scripted_schedule(std::vector<ScheduleStep> steps) { return std::make_shared<Scripted>(std::move(steps)); }

Gen heal_schedule(const std::vector<FaultKind>& kinds) {
  Gen gen = nothing();
  // Network first so resumed and restarted nodes come back to a healed network.
  for (auto it = kinds.rbegin(); it != kinds.rend(); ++it)
    if (!it->stop.empty()) gen = then(once_op(it->stop, it->stop_value), gen);
  return gen;
}

}  // namespace faultline
