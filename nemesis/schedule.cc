#include "nemesis/schedule.h"

#include <memory>

#include "harness/core/error.h"

namespace faultline {

namespace {

// The kind's start op, drawn from its nemesis options over its defaults.
Op start_op(const FaultKind& kind, const Json& all_options, Rng& rng) {
  Json given = all_options.is_object() && all_options.contains(kind.name) ? all_options[kind.name] : Json::object();
  return kind.draw(OptionReader(given, "nemesis option", kind.name + ".", kind.defaults), rng);
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
  if (!steps.is_array())
    fail(ErrorCode::kBadInput, source + ": a schedule is a JSON list of {\"at\": seconds, \"f\": …, \"value\": …}");
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
