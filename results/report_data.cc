#include "results/report_data.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace faultline {

std::string url_path(std::string_view path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string json_for_script(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    // These occur only inside JSON strings, where \u escapes mean the same characters.
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

namespace {

enum Outcome { kOkOutcome = 0, kFailOutcome = 1, kInfoOutcome = 2 };

int outcome_of(const Op& completion) {
  if (completion.is_ok()) return kOkOutcome;
  if (completion.is_fail()) return kFailOutcome;
  return kInfoOutcome;
}

int64_t micros(int64_t ns) { return ns / 1000; }

// At most max_chars bytes of text, cut on a UTF-8 character boundary, marked when cut.
std::string truncated(std::string text, size_t max_chars) {
  if (text.size() <= max_chars) return text;
  size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "…";
}

std::string value_text(const Json& value, size_t max_chars) {
  return truncated(value.dump(-1, ' ', false, Json::error_handler_t::replace), max_chars);
}

// One operation: an invocation with its completion (or none, when the run ended first), or a
// nemesis completion recorded without an invocation.
struct Operation {
  size_t first;  // position of the invocation (or of the lone completion)
  std::optional<size_t> completion;
  int64_t start_ns;
  int64_t end_ns;  // completion time, or the run's end when never completed
  int outcome;
  int f;
  bool nemesis;
};

// The f that ends the fault an f starts ("start-partition" -> "stop-partition"), or none. A "start"
// that finds kills open closes them instead (see faults()); otherwise it opens a partition only in
// histories of Jepsen's partitioner, which heals with "stop".
std::optional<std::string> closer_of(const std::string& f, bool jepsen_partitioner) {
  if (f.rfind("start-", 0) == 0) return "stop-" + f.substr(6);
  if (f == "kill") return "start";
  if (f == "start" && jepsen_partitioner) return "stop";
  if (f == "pause") return "resume";
  if (f == "bump-clock" || f == "strobe-clock") return "reset-clock";
  return std::nullopt;
}

class Summarizer {
 public:
  Summarizer(const History& history, const Json& results, const ReportLimits& limits)
      : history_(history), results_(results), limits_(limits) {}

  Json run() {
    collect_operations();
    collect_named_indices(results_.value("checkers", Json::object()));
    Json out;
    out["duration_us"] = micros(duration_ns_);
    out["untimed"] = untimed_;
    out["fs"] = fs_;
    out["counts"] = counts();
    out["latency"] = latency();
    out["throughput"] = throughput();
    out["faults"] = faults();
    out["clocks"] = clocks();
    out["timeline"] = timeline();
    out["named_ops"] = named_ops();
    out["nemesis_ops"] = nemesis_ops();
    return out;
  }

 private:
  int f_index(const std::string& f) {
    auto [it, added] = f_ids_.emplace(f, static_cast<int>(fs_.size()));
    if (added) fs_.push_back(f);
    return it->second;
  }

  void collect_operations() {
    for (const Op& op : history_) duration_ns_ = std::max(duration_ns_, op.time);
    // Histories imported without times (many Jepsen files) are laid out by position instead.
    untimed_ = duration_ns_ == 0 && history_.size() > 1;
    if (untimed_) duration_ns_ = time_of(history_.size() - 1);
    partner_ = pair_index(history_);
    // Older Jepsen histories record a nemesis op as two info ops with the same f, the first
    // standing for the invocation; the open one waits here for its second half.
    std::optional<size_t> lone_nemesis;
    for (size_t i = 0; i < history_.size(); ++i) {
      const Op& op = history_[i];
      int64_t partner = partner_[i];
      if (!op.is_invoke() && partner >= 0) continue;  // counted with its invocation
      if (op.is_nemesis() && !op.is_invoke() && lone_nemesis && history_[nemesis_[*lone_nemesis].first].f == op.f) {
        Operation& first = nemesis_[*lone_nemesis];
        first.completion = i;
        first.end_ns = time_of(i);
        lone_nemesis.reset();
        continue;
      }
      Operation o{i, std::nullopt, time_of(i), duration_ns_, kInfoOutcome, f_index(op.f), op.is_nemesis()};
      if (o.nemesis) lone_nemesis = op.is_invoke() ? std::nullopt : std::optional<size_t>(nemesis_.size());
      if (op.is_invoke() && partner >= 0) {
        o.completion = static_cast<size_t>(partner);
        o.end_ns = time_of(partner);
        o.outcome = outcome_of(history_[partner]);
      } else if (!op.is_invoke()) {
        o.completion = i;
        o.end_ns = time_of(i);
        o.outcome = outcome_of(op);
      }
      (o.nemesis ? nemesis_ : client_).push_back(o);
    }
  }

  // An op's time; its position (as if one op per microsecond) when the history has no times.
  int64_t time_of(size_t position) const {
    return untimed_ ? static_cast<int64_t>(position) * 1000 : history_[position].time;
  }

  // Op indices the checkers that did not pass point at: integers under "index" keys and in
  // "indices" arrays. Shallow references come first: they are the culprits ({"op": {"index": 4}}),
  // deeper ones their context ({"last-linearized": [{"op": {"index": 2}}, …]}).
  void collect_named_indices(const Json& checkers) {
    if (!checkers.is_object()) return;
    std::vector<std::pair<const Json*, std::string>> level, next;
    for (auto it = checkers.begin(); it != checkers.end(); ++it) {
      const Json& verdict = it->is_object() ? it->value("valid", Json()) : Json();
      if (verdict != "valid" && verdict != true) level.emplace_back(&*it, it.key());
    }
    for (int depth = 0; !level.empty(); level.swap(next), next.clear(), ++depth) {
      for (const auto& [j, checker] : level) {
        if (j->is_array()) {
          for (const Json& x : *j) next.emplace_back(&x, checker);
          continue;
        }
        if (!j->is_object()) continue;
        for (auto it = j->begin(); it != j->end(); ++it) {
          if (it.key() == "index" && it->is_number_integer()) {
            name_index(it->get<int64_t>(), checker, depth);
          } else if (it.key() == "indices" && it->is_array()) {
            for (const Json& x : *it)
              if (x.is_number_integer()) name_index(x.get<int64_t>(), checker, depth);
          } else {
            next.emplace_back(&*it, checker);
          }
        }
      }
    }
  }

  void name_index(int64_t index, const std::string& checker, int depth) {
    if (index < 0 || index >= static_cast<int64_t>(history_.size())) return;
    // A completion is shown with its invocation.
    int64_t partner = partner_[index];
    if (!history_[index].is_invoke() && partner >= 0) index = partner;
    auto [it, added] = named_by_.emplace(index, std::set<std::string>{});
    if (added) named_.push_back({index, depth});
    it->second.insert(checker);
  }

  Json counts() const {
    int64_t by_outcome[3] = {0, 0, 0};
    int64_t open = 0;
    for (const Operation& o : client_) {
      if (o.completion)
        ++by_outcome[o.outcome];
      else
        ++open;
    }
    return {{"ok", by_outcome[kOkOutcome]},
            {"fail", by_outcome[kFailOutcome]},
            {"info", by_outcome[kInfoOutcome]},
            {"open", open},
            {"nemesis", static_cast<int64_t>(nemesis_.size())}};
  }

  // Points [t_us, latency_us, f, outcome, count, index]. Above the limit, points that fall in the
  // same cell of a (time x log-latency) grid per (f, outcome) are merged into the slowest of them,
  // so outliers survive; the grid coarsens until the points fit.
  Json latency() const {
    std::vector<const Operation*> done;
    for (const Operation& o : client_)
      if (o.completion) done.push_back(&o);
    auto latency_us = [](const Operation* o) { return std::max<int64_t>(1, micros(o->end_ns - o->start_ns)); };
    std::vector<std::pair<const Operation*, int64_t>> kept;  // representative, ops it stands for
    bool exact = done.size() <= limits_.latency_points;
    if (exact) {
      for (const Operation* o : done) kept.emplace_back(o, 1);
    } else {
      double lo = 1e300, hi = -1e300;
      for (const Operation* o : done) {
        double l = std::log(static_cast<double>(latency_us(o)));
        lo = std::min(lo, l);
        hi = std::max(hi, l);
      }
      double span_ns = static_cast<double>(duration_ns_) + 1;
      for (uint64_t cols = 1024, rows = 256;;
           cols = std::max<uint64_t>(1, cols / 2), rows = std::max<uint64_t>(1, rows / 2)) {
        kept.clear();
        std::unordered_map<uint64_t, size_t> slot;
        for (const Operation* o : done) {
          auto x = static_cast<uint64_t>(static_cast<double>(o->start_ns) / span_ns * cols);
          double l = std::log(static_cast<double>(latency_us(o)));
          auto y = static_cast<uint64_t>((l - lo) / (hi - lo + 1e-9) * rows);
          uint64_t key = ((static_cast<uint64_t>(o->f) * 3 + o->outcome) * cols + x) * (rows + 1) + y;
          auto [it, added] = slot.emplace(key, kept.size());
          if (added) {
            kept.emplace_back(o, 1);
          } else {
            auto& [rep, count] = kept[it->second];
            ++count;
            if (latency_us(o) > latency_us(rep)) rep = o;
          }
        }
        if (kept.size() <= limits_.latency_points || (cols == 1 && rows == 1)) break;
      }
    }
    Json points = Json::array();
    for (const auto& [o, count] : kept)
      points.push_back({micros(o->start_ns), latency_us(o), o->f, o->outcome, count, history_[o->first].index});
    return {{"exact", exact}, {"ops", done.size()}, {"points", std::move(points)}};
  }

  // Completions of client ops per time bucket, by outcome.
  Json throughput() const {
    size_t buckets = std::max<size_t>(1, limits_.throughput_buckets);
    int64_t width_us =
        std::max<int64_t>(1, (micros(duration_ns_) + static_cast<int64_t>(buckets)) / static_cast<int64_t>(buckets));
    std::vector<std::vector<int64_t>> by_outcome(3, std::vector<int64_t>(buckets, 0));
    for (const Operation& o : client_) {
      if (!o.completion) continue;
      auto b = std::min<size_t>(buckets - 1, static_cast<size_t>(micros(o.end_ns) / width_us));
      ++by_outcome[o.outcome][b];
    }
    return {{"bucket_us", width_us}, {"ok", by_outcome[0]}, {"fail", by_outcome[1]}, {"info", by_outcome[2]}};
  }

  // Fault windows [start, end] from start/stop pairs of nemesis ops; lone nemesis ops are markers.
  Json faults() const {
    Json windows = Json::array(), markers = Json::array();
    std::map<std::string, std::vector<size_t>> open;  // closer f -> windows it will close
    const size_t max_entries = 1000;
    bool jepsen_partitioner = std::any_of(nemesis_.begin(), nemesis_.end(),
                                          [&](const Operation& o) { return history_[o.first].f == "stop"; });
    for (const Operation& o : nemesis_) {
      const Op& op = history_[o.first];
      if (auto it = open.find(op.f); it != open.end() && !it->second.empty()) {
        for (size_t w : it->second) {
          windows[w]["end_us"] = micros(o.end_ns);
          windows[w]["closed"] = true;
        }
        it->second.clear();
        continue;
      }
      std::string text = value_text(done_value(o), limits_.text_chars);
      if (auto closer = closer_of(op.f, jepsen_partitioner); closer && windows.size() < max_entries) {
        open[*closer].push_back(windows.size());
        windows.push_back({{"f", op.f},
                           {"start_us", micros(o.start_ns)},
                           {"end_us", micros(duration_ns_)},
                           {"closed", false},
                           {"text", text}});
      } else if (markers.size() < max_entries) {
        markers.push_back({{"f", op.f}, {"t_us", micros(o.start_ns)}, {"text", text}});
      }
    }
    return {{"windows", std::move(windows)}, {"markers", std::move(markers)}};
  }

  // What a nemesis op did: its completion's value, or the invocation's when it never completed.
  const Json& done_value(const Operation& o) const { return history_[o.completion.value_or(o.first)].value; }

  // Per node, [t_us, offset_s] from nemesis values carrying "clock-offsets": {node: seconds}.
  Json clocks() const {
    Json nodes = Json::object();
    const size_t max_samples = 5000;
    for (const Operation& o : nemesis_) {
      const Json& v = done_value(o);
      if (!v.is_object()) continue;
      auto it = v.find("clock-offsets");
      if (it == v.end()) it = v.find("clock_offsets");
      if (it == v.end() || !it->is_object()) continue;
      for (auto node = it->begin(); node != it->end(); ++node) {
        if (!node->is_number()) continue;
        Json& series = nodes[node.key()];
        if (series.size() < max_samples) series.push_back({micros(o.end_ns), node->get<double>()});
      }
    }
    return nodes;
  }

  Json bar(const Operation& o, int lane) const {
    const Op& shown = history_[o.completion.value_or(o.first)];
    return {lane,
            micros(o.start_ns),
            micros(o.end_ns),
            o.outcome,
            o.f,
            history_[o.first].index,
            truncated(describe(shown), limits_.text_chars)};
  }

  // One lane per process (nemesis first); many processes (each info starts a new one) fold into
  // worker threads, process mod concurrency.
  Json timeline() const {
    std::set<int64_t> processes;
    for (const Operation& o : client_) processes.insert(history_[o.first].process);
    int nemesis_lanes = nemesis_.empty() ? 0 : 1;
    Json lanes = Json::array();
    if (nemesis_lanes) lanes.push_back("nemesis");
    std::unordered_map<int64_t, int> lane_of;
    int64_t fold = 0;
    if (processes.size() <= limits_.timeline_lanes) {
      for (int64_t p : processes) {
        lane_of[p] = static_cast<int>(lanes.size());
        lanes.push_back("process " + std::to_string(p));
      }
    } else {
      int64_t concurrency = results_.contains("test") && results_["test"].is_object()
                                ? results_["test"].value("concurrency", int64_t{0})
                                : 0;
      fold = concurrency > 0 && concurrency <= static_cast<int64_t>(limits_.timeline_lanes)
                 ? concurrency
                 : static_cast<int64_t>(limits_.timeline_lanes);
      for (int64_t t = 0; t < fold; ++t) lanes.push_back("thread " + std::to_string(t));
    }
    auto lane = [&](const Operation& o) {
      if (o.nemesis) return 0;
      int64_t p = history_[o.first].process;
      return fold ? nemesis_lanes + static_cast<int>(((p % fold) + fold) % fold) : lane_of.at(p);
    };
    Json out = {{"lanes", lanes}, {"folded", fold > 0}};
    size_t total = client_.size() + nemesis_.size();
    if (total <= limits_.timeline_bars) {
      Json bars = Json::array();
      for (const auto* ops : {&nemesis_, &client_})
        for (const Operation& o : *ops) bars.push_back(bar(o, lane(o)));
      out["mode"] = "exact";
      out["bars"] = std::move(bars);
      return out;
    }
    out["mode"] = "aggregate";
    auto columns =
        static_cast<int64_t>(std::clamp<size_t>(limits_.timeline_cells / std::max<size_t>(1, lanes.size()), 20, 2000));
    double span_ns = static_cast<double>(duration_ns_) + 1;
    std::map<int64_t, std::array<int64_t, 3>> cells;  // lane * columns + column -> ops by outcome
    for (const auto* ops : {&nemesis_, &client_}) {
      for (const Operation& o : *ops) {
        auto from = static_cast<int64_t>(static_cast<double>(o.start_ns) / span_ns * columns);
        auto to = static_cast<int64_t>(static_cast<double>(o.end_ns) / span_ns * columns);
        for (int64_t c = from; c <= to; ++c) ++cells[lane(o) * columns + c][o.outcome];
      }
    }
    Json packed = Json::array();
    for (const auto& [key, n] : cells) packed.push_back({key / columns, key % columns, n[0], n[1], n[2]});
    out["columns"] = columns;
    out["cells"] = std::move(packed);
    out["windows"] = windows(lane);
    return out;
  }

  // Exact bars for a few stretches of the history: its start, then around each op a checker named.
  template <typename LaneOf>
  Json windows(const LaneOf& lane) const {
    std::vector<int64_t> centres = {static_cast<int64_t>(limits_.window_ops / 2)};
    for (const Named& n : named_) centres.push_back(n.index);
    struct Range {
      int64_t from, to;
      std::string label;
    };
    std::vector<Range> ranges;
    auto half = static_cast<int64_t>(limits_.window_ops / 2);
    for (size_t i = 0; i < centres.size() && ranges.size() < limits_.windows; ++i) {
      int64_t from = std::max<int64_t>(0, centres[i] - half), to = from + 2 * half;
      bool overlaps =
          std::any_of(ranges.begin(), ranges.end(), [&](const Range& r) { return from <= r.to && r.from <= to; });
      if (overlaps) continue;
      std::string label = i == 0 ? "start of run" : "around op " + std::to_string(centres[i]);
      ranges.push_back({from, to, label + ": ops " + std::to_string(from) + "–" + std::to_string(to)});
    }
    Json out = Json::array();
    for (const Range& r : ranges) {
      Json bars = Json::array();
      for (const auto* ops : {&nemesis_, &client_})
        for (const Operation& o : *ops)
          if (static_cast<int64_t>(o.first) >= r.from && static_cast<int64_t>(o.first) <= r.to)
            bars.push_back(bar(o, lane(o)));
      out.push_back({{"label", r.label}, {"bars", std::move(bars)}});
    }
    return out;
  }

  Json named_ops() const {
    Json rows = Json::array();
    const size_t max_text = 500;
    for (const auto& [index, depth] : named_) {
      if (rows.size() >= limits_.listed_ops) break;
      const Op& op = history_[index];
      int64_t partner = partner_[index];
      Json row = {{"index", op.index},
                  {"t_us", untimed_ ? Json() : Json(micros(op.time))},
                  {"op", truncated(describe(op), max_text)},
                  {"depth", depth},
                  {"checkers", named_by_.at(index)}};
      if (partner >= 0) row["completion"] = truncated(describe(history_[partner]), max_text);
      rows.push_back(std::move(row));
    }
    return {{"total", named_.size()}, {"rows", std::move(rows)}};
  }

  Json nemesis_ops() const {
    Json rows = Json::array();
    for (const Operation& o : nemesis_) {
      if (rows.size() >= limits_.listed_ops) break;
      const Op& op = history_[o.first];
      rows.push_back({{"index", op.index},
                      {"start_us", micros(o.start_ns)},
                      {"end_us", micros(o.end_ns)},
                      {"f", op.f},
                      {"value", value_text(done_value(o), 500)}});
    }
    return {{"total", nemesis_.size()}, {"rows", std::move(rows)}};
  }

  const History& history_;
  const Json& results_;
  const ReportLimits& limits_;
  int64_t duration_ns_ = 0;
  std::vector<int64_t> partner_;
  std::vector<std::string> fs_;
  std::unordered_map<std::string, int> f_ids_;
  std::vector<Operation> client_, nemesis_;
  struct Named {
    int64_t index;  // an invocation's index
    int depth;      // how deep in the checker's evidence it was first found
  };
  std::vector<Named> named_;  // shallowest first
  bool untimed_ = false;
  std::map<int64_t, std::set<std::string>> named_by_;
};

}  // namespace

Json summarize_history(const History& history, const Json& results, const ReportLimits& limits) {
  return Summarizer(history, results, limits).run();
}

}  // namespace faultline
