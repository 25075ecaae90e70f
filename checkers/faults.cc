#include "checkers/faults.h"

#include <fmt/format.h>
#include <cstdio>
#include <map>
#include <optional>

namespace faultline {
namespace {

struct FaultEdge {
  std::string fault;
  bool starts;
};

// Which fault a nemesis f starts or stops, or nullopt for one-shot actions (truncate, bit-flip…).
// `killed` says whether a kill window is open: then "start" restarts the killed nodes.
std::optional<FaultEdge> classify(const std::string& f, bool killed) {
  auto has_prefix = [&](std::string_view p) { return f.size() > p.size() && f.compare(0, p.size(), p) == 0; };
  if (f == "start") return killed ? FaultEdge{"kill", false} : FaultEdge{"fault", true};
  if (f == "stop") return FaultEdge{"fault", false};
  if (has_prefix("start-")) return FaultEdge{f.substr(6), true};
  if (has_prefix("stop-")) return FaultEdge{f.substr(5), false};
  if (f == "kill") return FaultEdge{"kill", true};
  if (f == "pause") return FaultEdge{"pause", true};
  if (f == "resume") return FaultEdge{"pause", false};
  if (f == "bump-clock" || f == "strobe-clock") return FaultEdge{"clock", true};
  if (f == "reset-clock") return FaultEdge{"clock", false};
  return std::nullopt;
}

}  // namespace

std::vector<FaultWindow> fault_windows(const History& history) {
  std::vector<FaultWindow> windows;
  std::map<std::string, FaultWindow> open;
  const Op* invocation = nullptr;  // the nemesis is one process: its completion follows its invocation
  int64_t end_of_history = 0;
  for (const Op& op : history) {
    end_of_history = std::max(end_of_history, op.time);
    if (!op.is_nemesis()) continue;
    if (op.is_invoke()) {
      invocation = &op;
      continue;
    }
    const Op& begin = invocation && invocation->f == op.f ? *invocation : op;
    invocation = nullptr;
    auto edge = classify(op.f, open.count("kill") > 0);
    if (!edge) continue;
    auto it = open.find(edge->fault);
    if (edge->starts && it == open.end()) {
      open[edge->fault] = {edge->fault, op.f, "", begin.time, 0, begin.index, -1, op.value, false};
    } else if (!edge->starts && it != open.end()) {
      FaultWindow w = std::move(it->second);
      open.erase(it);
      w.stop_f = op.f;
      w.end_ns = op.time;
      w.end_index = op.index;
      w.healed = true;
      windows.push_back(std::move(w));
    }
  }
  for (auto& [fault, w] : open) {
    w.end_ns = end_of_history;
    windows.push_back(std::move(w));
  }
  return windows;
}

std::vector<FaultWindow> faults_during(const std::vector<FaultWindow>& windows, int64_t from_ns, int64_t to_ns) {
  std::vector<FaultWindow> out;
  for (const FaultWindow& w : windows)
    if (w.start_ns <= to_ns && w.end_ns >= from_ns) out.push_back(w);
  return out;
}

Json to_json(const FaultWindow& w) {
  return {{"fault", w.fault},
          {"start-f", w.start_f},
          {"stop-f", w.stop_f.empty() ? Json() : Json(w.stop_f)},
          {"start-ns", w.start_ns},
          {"end-ns", w.end_ns},
          {"start-index", w.start_index},
          {"end-index", w.end_index < 0 ? Json() : Json(w.end_index)},
          {"value", w.value},
          {"healed", w.healed}};
}

std::string describe(const FaultWindow& w) {
  const std::string when = fmt::format(" ({:.3f} s to {:.3f} s)", double(w.start_ns) / 1e9, double(w.end_ns) / 1e9);
  std::string value = w.value.is_null() ? "" : " " + w.value.dump();
  if (value.size() > 120) value = value.substr(0, 117) + "...";
  return w.fault + value + when;
}

}  // namespace faultline
