#include "nemesis/package.h"

#include <algorithm>
#include <fstream>

#include "harness/core/error.h"
#include "harness/core/text.h"
#include "nemesis/clock.h"
#include "nemesis/net.h"
#include "nemesis/power.h"
#include "nemesis/process.h"
#include "nemesis/schedule.h"

namespace faultline {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// The kinds asked for, in fault_kinds() order; "all" means every kind the target supports.
// The power fault cuts a VM's power, so "all" means it only on VM nodes.
const char* const kPowerNeedsVms =
    "fault \"power\" cuts a VM's power and these nodes are not VMs: run on VM nodes "
    "(faultline sandbox up --vm) or drop it";

std::vector<FaultKind> kinds_for(const std::vector<std::string>& names, bool has_daemon, bool vm_nodes) {
  for (const auto& name : names)
    if (name != "all" && !contains(fault_names(), name))
      fail(ErrorCode::kBadInput,
           "unknown fault kind \"" + name + "\" in --nemesis; known: " + join(fault_names()) + ", all");
  std::vector<FaultKind> kinds;
  for (const auto& kind : fault_kinds()) {
    bool all = contains(names, "all");
    if (!all && !contains(names, kind.name)) continue;
    if (kind.name == "power" && !vm_nodes) {
      if (all) continue;
      fail(ErrorCode::kBadInput, std::string(kPowerNeedsVms) + " from --nemesis");
    }
    if (kind.needs_daemon && !has_daemon) {
      if (all) continue;
      fail(ErrorCode::kBadInput, "fault \"" + kind.name +
                                     "\" needs a target that can kill and pause its processes; "
                                     "this target cannot: drop it from --nemesis");
    }
    kinds.push_back(kind);
  }
  return kinds;
}

std::vector<ScheduleStep> read_schedule(const std::string& file) {
  std::ifstream in(file);
  if (!in) fail(ErrorCode::kNotFound, "cannot read nemesis schedule file " + file);
  Json steps = Json::parse(in, nullptr, false);
  if (steps.is_discarded())
    fail(ErrorCode::kBadInput, file + " is not JSON: a schedule is a list of {\"at\", \"f\", \"value\"}");
  return parse_schedule(steps, file);
}

}  // namespace

NemesisPackage make_nemesis_package(const NemesisConfig& config) {
  std::vector<FaultKind> kinds;
  std::vector<ScheduleStep> steps;
  if (!config.schedule_file.empty()) {
    steps = read_schedule(config.schedule_file);
    for (const auto& kind : fault_kinds()) {
      bool used =
          std::any_of(steps.begin(), steps.end(), [&](const ScheduleStep& s) { return &fault_kind_of(s.f) == &kind; });
      if (used) kinds.push_back(kind);
    }
    for (const auto& kind : kinds) {
      if (kind.name == "power" && !config.power)
        fail(ErrorCode::kBadInput, config.schedule_file + ": " + kPowerNeedsVms + " from the schedule");
      if (kind.needs_daemon && !config.daemon)
        fail(ErrorCode::kBadInput, config.schedule_file + ": fault \"" + kind.name +
                                       "\" needs a target that can kill and pause its processes");
    }
  } else {
    kinds = kinds_for(config.faults, config.daemon != nullptr, config.power != nullptr);
  }
  // On the sandbox a clock fault skews the target's own processes, so it needs a target that has them.
  ClockBackend clock = clock_backend_for(config.sandbox, config.options);
  auto clock_kind = std::find_if(kinds.begin(), kinds.end(), [](const FaultKind& k) { return k.name == "clock"; });
  if (clock_kind != kinds.end() && clock != ClockBackend::kSystem && !config.daemon) {
    if (!contains(config.faults, "clock") && config.schedule_file.empty())
      kinds.erase(clock_kind);
    else
      fail(ErrorCode::kBadInput,
           "clock faults on the sandbox skew the target's own processes, and this target runs none "
           "it can name: drop clock from --nemesis, or use VM or real-host nodes");
  }
  if (kinds.empty()) return {noop_nemesis(), nullptr, nullptr};
  if (config.sessions.empty()) fail(ErrorCode::kBadInput, "faults need nodes: run on --sandbox or --nodes");

  NemesisNodes nodes(config.sessions);
  auto uses = [&](FaultNemesis nemesis) {
    return std::any_of(kinds.begin(), kinds.end(), [&](const FaultKind& k) { return k.nemesis == nemesis; });
  };
  std::vector<std::unique_ptr<Nemesis>> parts;
  // Teardowns run in this order: power first, since no other heal reaches a node that is off.
  if (uses(FaultNemesis::kPower)) parts.push_back(power_nemesis(nodes, *config.daemon, config.power, config.seed));
  if (uses(FaultNemesis::kNetwork)) parts.push_back(network_nemesis(nodes, config.seed));
  if (uses(FaultNemesis::kProcess)) parts.push_back(process_nemesis(nodes, *config.daemon, config.seed));
  if (uses(FaultNemesis::kClock)) parts.push_back(clock_nemesis(nodes, clock, config.seed));

  Gen schedule =
      steps.empty() ? random_schedule(kinds, config.interval, config.options, config.seed) : scripted_schedule(steps);
  return {compose_nemeses(std::move(parts)), schedule, heal_schedule(kinds),
          uses(FaultNemesis::kClock) && clock == ClockBackend::kFaketime};
}

}  // namespace faultline
