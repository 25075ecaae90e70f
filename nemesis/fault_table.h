// The one table of fault kinds. For each kind: its name in --nemesis, the nemesis that performs its
// ops, the ops that start and heal it, the defaults of its options, and how a random schedule draws
// a start. Schedules, the package and the nemeses all read it here.
#pragma once

#include <string>
#include <vector>

#include "harness/core/json.h"
#include "harness/core/op.h"
#include "harness/core/options.h"
#include "harness/core/random.h"

namespace faultline {

enum class FaultNemesis { kPower, kNetwork, kProcess, kClock };

struct FaultKind {
  std::string name;                 // as in --nemesis: "partition", "kill", …
  FaultNemesis nemesis;             // which nemesis performs its ops
  std::vector<std::string> starts;  // fs that start it
  std::string stop;                 // f that heals it; empty when nothing needs healing
  Json stop_value;                  // value of the stop op
  bool needs_daemon;                // acts through the target's Daemon capability
  // Option defaults: the random schedule draws from them ("targets": node selectors to pick from),
  // and a start op whose value leaves a key out gets the default here.
  Json defaults;
  // The random schedule's start op, drawn from the kind's options (the user's over `defaults`).
  Op (*draw)(const OptionReader& options, Rng& rng);
};

// Every kind, in heal order: power first, since no other heal reaches a node that is off.
const std::vector<FaultKind>& fault_kinds();
std::vector<std::string> fault_names();
// The kind named `name`; Error(kNotFound) listing the known kinds.
const FaultKind& fault_kind(const std::string& name);
// The kind a nemesis f belongs to; Error(kBadInput) listing the known fs for an unknown f.
const FaultKind& fault_kind_of(const std::string& f);
// The fields of a start op's value, read with the kind's defaults; Error(kBadInput) naming the field.
OptionReader fault_value(const std::string& kind, const Json& value, const std::string& f);

}  // namespace faultline
