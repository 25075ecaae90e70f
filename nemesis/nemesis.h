// The nemesis protocol: it receives nemesis invocations (f = "start-partition", "kill", …) and
// returns their info completion whose value says what was actually done.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/core/op.h"

namespace faultline {

// An invocation of the nemesis: f with its value.
inline Op nemesis_op(std::string f, Json value) {
  Op op;
  op.process = kNemesisProcess;
  op.f = std::move(f);
  op.value = std::move(value);
  return op;
}

class Nemesis {
 public:
  virtual ~Nemesis() = default;
  // Refuses, before the target starts, faults these nodes cannot carry (one line, kBadInput).
  virtual void preflight() {}
  // Heals leftovers of earlier runs and prepares the nodes.
  virtual void setup() {}
  // Performs the fault and returns the completion (type info; value = what was done).
  virtual Op invoke(const Op& op) = 0;
  // Heals everything this nemesis can heal.
  virtual void teardown() {}
  // The fs this nemesis handles.
  virtual std::set<std::string> fs() const = 0;
};

// Handles nothing; every op completes as info with value "no-op".
std::unique_ptr<Nemesis> noop_nemesis();
// Routes each op to the nemesis whose fs() contain its f; setup/teardown reach all of them.
std::unique_ptr<Nemesis> compose_nemeses(std::vector<std::unique_ptr<Nemesis>> parts);

}  // namespace faultline
