// A nemesis package: the nemesis for the faults a test asks for, with the generator that schedules
// them and the final generator that heals them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/control/daemon.h"
#include "harness/control/power_switch.h"
#include "harness/control/session.h"
#include "harness/core/generator.h"
#include "harness/core/json.h"
#include "nemesis/nemesis.h"

namespace faultline {

struct NemesisConfig {
  std::vector<std::string> faults;  // "partition", "kill", "pause", "clock", "loss", … or "all"
  double interval = 10;             // seconds between fault starts
  std::string schedule_file;        // scripted schedule (JSON list of timed steps), or empty
  Json options = Json::object();    // per-fault options (targets of faults, probabilities, …)
  std::vector<Session*> sessions;   // one per node, in node order
  Daemon* daemon = nullptr;         // null when the target cannot be killed/paused
  bool sandbox = false;             // clock faults per process (ptrace or libfaketime), never the real clock
  uint64_t seed = 0;
  PowerSwitch* power = nullptr;  // the nodes' power (VM nodes), or null
};

struct NemesisPackage {
  std::unique_ptr<Nemesis> nemesis;  // never null (no-op when no faults)
  Gen generator;                     // main-phase schedule; null when no faults
  Gen final_generator;               // heals every fault; null when no faults
  bool faketime_launch = false;      // clock faults through libfaketime: the target must start its daemons under it
};

// Throws Error(kBadInput) for an unknown fault kind (listing the known ones) or a bad schedule.
NemesisPackage make_nemesis_package(const NemesisConfig& config);

}  // namespace faultline
