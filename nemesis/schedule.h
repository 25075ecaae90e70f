// Fault schedules: which nemesis ops happen when. Deterministic for a seed.
#pragma once

#include <string>
#include <vector>

#include "harness/core/generator.h"
#include "harness/core/json.h"
#include "nemesis/fault_table.h"

namespace faultline {

// The random schedule: for each kind independently (so kinds overlap), wait a random time around
// `interval` seconds, start the fault with a value its FaultKind::draw picks from its options, wait
// again, stop it, and so on. `options` holds per-kind settings (docs/results-schema.md). Random draws come from
// per-kind streams of `seed`, so adding a kind does not change another's schedule.
Gen random_schedule(const std::vector<FaultKind>& kinds, double interval, const Json& options, uint64_t seed);

// A scripted schedule: JSON list of {"at": seconds since the schedule started, "f", "value"} in
// non-decreasing "at" order. Throws Error(kBadInput) naming the bad step; `source` names the file.
struct ScheduleStep {
  double at = 0;
  std::string f;
  Json value;
};
std::vector<ScheduleStep> parse_schedule(const Json& steps, const std::string& source);
// Emits each step's op at its time.
Gen scripted_schedule(std::vector<ScheduleStep> steps);

// The stop op of every kind that has one, one after the other.
Gen heal_schedule(const std::vector<FaultKind>& kinds);

}  // namespace faultline
