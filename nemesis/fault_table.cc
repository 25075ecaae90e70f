#include "nemesis/fault_table.h"

#include <cmath>

#include "harness/core/error.h"
#include "harness/core/registry.h"
#include "harness/core/text.h"
#include "nemesis/nemesis.h"
#include "nemesis/partition.h"

namespace faultline {
namespace {

// One of the kind's node selectors ("targets": a list of selectors to pick from).
Json pick_targets(const OptionReader& o, Rng& rng) {
  Json targets = o.get<Json>("targets");
  if (!targets.is_array() || targets.empty()) o.bad("targets", "must be a non-empty list of node selectors");
  return targets[rng.below(targets.size())];
}

Op draw_nodes(const OptionReader& o, Rng& rng, const std::string& f) {
  return nemesis_op(f, {{"nodes", pick_targets(o, rng)}});
}

const Json kSome = {"one", "minority", "majority", "all"};

}  // namespace

const std::vector<FaultKind>& fault_kinds() {
  static const std::vector<FaultKind> kinds = {
      {"power",
       FaultNemesis::kPower,
       {"power-off"},
       "power-on",
       "off",
       true,
       {{"targets", {"one", "minority"}}, {"nodes", "one"}},  // a majority stays up
       [](const OptionReader& o, Rng& rng) { return draw_nodes(o, rng, "power-off"); }},
      {"partition",
       FaultNemesis::kNetwork,
       {"start-partition"},
       "stop-partition",
       nullptr,
       false,
       {{"shapes", partition_shapes()}},
       [](const OptionReader& o, Rng& rng) {
         Json shapes = o.get<Json>("shapes");
         if (!shapes.is_array() || shapes.empty()) o.bad("shapes", "must be a non-empty list");
         return nemesis_op("start-partition", shapes[rng.below(shapes.size())]);
       }},
      {"loss",
       FaultNemesis::kNetwork,
       {"start-loss"},
       "stop-loss",
       nullptr,
       false,
       {{"targets", {"all", "one", "minority"}}, {"nodes", "all"}, {"peers", "all"}, {"probability", 0.3}},
       [](const OptionReader& o, Rng& rng) {
         return nemesis_op("start-loss",
                           {{"probability", o.get<double>("probability")}, {"nodes", pick_targets(o, rng)}});
       }},
      {"netem",
       FaultNemesis::kNetwork,
       {"start-netem"},
       "stop-netem",
       nullptr,
       false,
       {{"targets", {"all"}}, {"nodes", "all"}, {"delay-ms", 100.0}, {"jitter-ms", 50.0}},
       [](const OptionReader& o, Rng& rng) {
         Json nodes = pick_targets(o, rng);
         return nemesis_op(
             "start-netem",
             {{"nodes", nodes}, {"delay-ms", o.get<double>("delay-ms")}, {"jitter-ms", o.get<double>("jitter-ms")}});
       }},
      {"bandwidth",
       FaultNemesis::kNetwork,
       {"start-bandwidth"},
       "stop-bandwidth",
       nullptr,
       false,
       {{"targets", {"all"}}, {"nodes", "all"}, {"rate", "1mbit"}},
       [](const OptionReader& o, Rng& rng) {
         Json nodes = pick_targets(o, rng);
         return nemesis_op("start-bandwidth", {{"nodes", nodes}, {"rate", o.get<std::string>("rate")}});
       }},
      {"pause",
       FaultNemesis::kProcess,
       {"pause"},
       "resume",
       "paused",
       true,
       {{"targets", kSome}, {"nodes", "one"}},
       [](const OptionReader& o, Rng& rng) { return draw_nodes(o, rng, "pause"); }},
      {"kill",
       FaultNemesis::kProcess,
       {"kill"},
       "start",
       "killed",
       true,
       {{"targets", kSome}, {"nodes", "one"}},
       [](const OptionReader& o, Rng& rng) { return draw_nodes(o, rng, "kill"); }},
      {"clock",
       FaultNemesis::kClock,
       {"bump-clock", "strobe-clock"},
       "reset-clock",
       {{"nodes", "all"}},
       false,
       {{"targets", kSome}, {"nodes", "one"}, {"max-delta", 10.0}, {"period-ms", 100.0}, {"duration", 2.0}},
       [](const OptionReader& o, Rng& rng) {
         double max = o.get<double>("max-delta");
         double delta = (rng.chance(0.5) ? 1 : -1) * max * (0.1 + 0.9 * rng.unit());
         delta = static_cast<double>(std::llround(delta * 1000)) / 1000;
         Op bump = nemesis_op("bump-clock", {{"nodes", pick_targets(o, rng)}, {"delta", delta}});
         if (rng.chance(0.5)) {
           bump.f = "strobe-clock";
           bump.value["period-ms"] = o.get<double>("period-ms");
           bump.value["duration"] = o.get<double>("duration");
         }
         return bump;
       }},
      {"corrupt",
       FaultNemesis::kProcess,
       {"corrupt-file"},
       "",
       nullptr,
       true,
       {{"targets", {"one"}}, {"nodes", "one"}, {"mode", "bitflip"}, {"bits", 16}},
       [](const OptionReader& o, Rng& rng) {
         Json nodes = pick_targets(o, rng);
         return nemesis_op("corrupt-file", {{"nodes", nodes}, {"mode", rng.chance(0.5) ? "truncate" : "bitflip"}});
       }},
  };
  return kinds;
}

namespace {
const Registry<const FaultKind*>& registry() {
  static const Registry<const FaultKind*> kinds("fault kind", [] {
    Registry<const FaultKind*>::Entries entries;
    for (const auto& kind : fault_kinds()) entries.emplace_back(kind.name, &kind);
    return entries;
  }());
  return kinds;
}
}  // namespace

std::vector<std::string> fault_names() { return registry().names(); }

const FaultKind& fault_kind(const std::string& name) { return *registry().at(name); }

const FaultKind& fault_kind_of(const std::string& f) {
  std::vector<std::string> known;
  for (const auto& kind : fault_kinds()) {
    for (const auto& start : kind.starts)
      if (f == start) return kind;
    if (f == kind.stop && !f.empty()) return kind;
    known.insert(known.end(), kind.starts.begin(), kind.starts.end());
    if (!kind.stop.empty()) known.push_back(kind.stop);
  }
  fail(ErrorCode::kBadInput, "unknown nemesis f \"" + f + "\"; known: " + join(known));
}

OptionReader fault_value(const std::string& kind, const Json& value, const std::string& f) {
  return OptionReader(value, f + " field", "", fault_kind(kind).defaults);
}

}  // namespace faultline
