// Fault windows read back from a history's nemesis ops, for the checkers that relate what went wrong
// to what the nemesis was doing (perf's plots, linearizability's explanations).
// Windows: start-X/stop-X (fault X), kill/start, pause/resume, bump-/strobe-clock/reset-clock
// (fault clock), and Jepsen's plain start/stop (fault "fault"). A window spans from the start op's
// invocation to the stop op's completion: the widest time the fault may have been in effect. A
// window that was never stopped ends at the last op of the history and is not healed.
#pragma once

#include <string>
#include <vector>

#include "harness/core/history.h"

namespace faultline {

struct FaultWindow {
  std::string fault;    // partition, kill, pause, clock, loss, …
  std::string start_f;  // the nemesis f that opened it
  std::string stop_f;   // empty when never stopped
  int64_t start_ns = 0, end_ns = 0;
  int64_t start_index = -1, end_index = -1;  // end_index -1 when never stopped
  Json value;                                // what the start did (the start op's completion value)
  bool healed = false;
};

std::vector<FaultWindow> fault_windows(const History& history);
// The windows that overlap [from_ns, to_ns].
std::vector<FaultWindow> faults_during(const std::vector<FaultWindow>& windows, int64_t from_ns, int64_t to_ns);
// {fault, start-f, stop-f, start-ns, end-ns, start-index, end-index, value, healed}
Json to_json(const FaultWindow& w);
// "partition {…} (from 1.2 s)" for explanations.
std::string describe(const FaultWindow& w);

}  // namespace faultline
