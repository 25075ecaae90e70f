#include "checkers/txn/graph.h"

#include <algorithm>
#include <unordered_map>

namespace faultline::txn {

std::string edge_kind_name(EdgeKind kind) {
  switch (kind) {
    case kWW: return "ww";
    case kWR: return "wr";
    case kRW: return "rw";
    case kProcess: return "process";
    case kRealtime: return "realtime";
  }
  return "?";
}

TxnGraph::TxnGraph(size_t nodes, std::vector<Edge> edges) : offsets_(nodes + 1, 0) {
  for (const Edge& e : edges)
    if (e.from != e.to) ++offsets_[e.from + 1];
  for (size_t i = 0; i < nodes; ++i) offsets_[i + 1] += offsets_[i];
  arcs_.resize(offsets_[nodes]);
  std::vector<uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (const Edge& e : edges)
    if (e.from != e.to) arcs_[fill[e.from]++] = {e.to, e.kinds};
  edges = {};
  // Merge parallel arcs so each neighbour appears once with all its kinds, in place: a node's
  // merged arcs never reach past where its own arcs began.
  size_t merged = 0;
  for (size_t n = 0; n < nodes; ++n) {
    auto first = arcs_.begin() + offsets_[n], last = arcs_.begin() + offsets_[n + 1];
    std::sort(first, last, [](const Arc& a, const Arc& b) { return a.to < b.to; });
    const size_t begin = merged;
    for (auto it = first; it != last; ++it) {
      if (merged > begin && arcs_[merged - 1].to == it->to)
        arcs_[merged - 1].kinds |= it->kinds;
      else
        arcs_[merged++] = *it;
    }
    offsets_[n] = uint32_t(begin);
  }
  offsets_[nodes] = uint32_t(merged);
  arcs_.resize(merged);
}

std::vector<Edge> process_edges(const TxnHistory& h, const std::vector<uint32_t>& txns) {
  std::vector<Edge> edges;
  std::unordered_map<int64_t, uint32_t> last_of_process;
  for (uint32_t t : txns) {
    auto [it, added] = last_of_process.try_emplace(h.txns[t].process, t);
    if (!added) {
      edges.push_back({it->second, t, kProcess});
      it->second = t;
    }
  }
  return edges;
}

std::vector<Edge> realtime_edges(const TxnHistory& h, const std::vector<uint32_t>& txns) {
  // Walk invocations and completions in history order. The frontier holds completed txns not yet
  // implied by a later completed one; a new invocation follows all of them.
  struct Event {
    int64_t index;
    uint32_t local;  // position in `txns`
    bool invoke;
  };
  std::vector<Event> events;
  for (uint32_t i = 0; i < txns.size(); ++i) {
    const Txn& txn = h.txns[txns[i]];
    events.push_back({txn.invoke_index, i, true});
    if (txn.status == TxnStatus::kOk) events.push_back({txn.complete_index, i, false});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.index < b.index; });
  std::vector<Edge> edges;
  std::vector<uint32_t> frontier;  // local positions
  std::vector<uint8_t> live(txns.size(), 0);
  std::vector<std::pair<size_t, size_t>> preds(txns.size());  // range in `edges`
  std::vector<uint32_t> pred_local;                           // parallel to `edges`
  size_t dead = 0;
  for (const Event& ev : events) {
    if (ev.invoke) {
      size_t begin = edges.size();
      for (uint32_t p : frontier)
        if (live[p]) {
          edges.push_back({txns[p], txns[ev.local], kRealtime});
          pred_local.push_back(p);
        }
      preds[ev.local] = {begin, edges.size()};
      continue;
    }
    for (size_t i = preds[ev.local].first; i < preds[ev.local].second; ++i)
      if (live[pred_local[i]]) live[pred_local[i]] = 0, ++dead;
    frontier.push_back(ev.local);
    live[ev.local] = 1;
    if (dead > frontier.size() / 2) {
      std::erase_if(frontier, [&](uint32_t p) { return !live[p]; });
      dead = 0;
    }
  }
  return edges;
}

std::vector<Edge> session_edges(const TxnHistory& h) {
  std::vector<uint32_t> possible;
  for (uint32_t t = 0; t < h.txns.size(); ++t)
    if (h.txns[t].status != TxnStatus::kFail) possible.push_back(t);
  std::vector<Edge> edges = process_edges(h, possible);
  std::vector<Edge> realtime = realtime_edges(h, possible);
  edges.insert(edges.end(), realtime.begin(), realtime.end());
  return edges;
}

std::vector<std::vector<uint32_t>> cyclic_components(const TxnGraph& g, uint8_t mask) {
  // Iterative Tarjan.
  const uint32_t kNone = UINT32_MAX;
  size_t n = g.size();
  std::vector<uint32_t> index(n, kNone), low(n, 0);
  std::vector<uint8_t> on_stack(n, 0);
  std::vector<uint32_t> stack;
  std::vector<std::pair<uint32_t, uint32_t>> call;  // node, next arc position
  std::vector<std::vector<uint32_t>> out;
  uint32_t counter = 0;
  for (uint32_t root = 0; root < n; ++root) {
    if (index[root] != kNone) continue;
    call.push_back({root, 0});
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = 1;
    while (!call.empty()) {
      auto& [v, pos] = call.back();
      auto arcs = g.out(v);
      bool descended = false;
      while (pos < arcs.size()) {
        const Arc& a = arcs[pos++];
        if (!(a.kinds & mask)) continue;
        if (index[a.to] == kNone) {
          index[a.to] = low[a.to] = counter++;
          stack.push_back(a.to);
          on_stack[a.to] = 1;
          call.push_back({a.to, 0});
          descended = true;
          break;
        }
        if (on_stack[a.to]) low[v] = std::min(low[v], index[a.to]);
      }
      if (descended) continue;
      uint32_t done = v;
      call.pop_back();
      if (!call.empty()) low[call.back().first] = std::min(low[call.back().first], low[done]);
      if (low[done] != index[done]) continue;
      std::vector<uint32_t> component;
      uint32_t w;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack[w] = 0;
        component.push_back(w);
      } while (w != done);
      if (component.size() > 1) out.push_back(std::move(component));
    }
  }
  return out;
}

std::string classify(const Cycle& cycle) {
  size_t rw = 0, ww = 0, data = 0;
  bool adjacent_rw = false, process = false, realtime = false;
  for (size_t i = 0; i < cycle.size(); ++i) {
    EdgeKind k = cycle[i].kind;
    rw += k == kRW;
    ww += k == kWW;
    data += (k & kDataKinds) != 0;
    process |= k == kProcess;
    realtime |= k == kRealtime;
    adjacent_rw |= k == kRW && cycle[(i + 1) % cycle.size()].kind == kRW;
  }
  std::string name = rw == 0       ? (ww == data ? "G0" : "G1c")
                     : rw == 1     ? "G-single-item"
                     : adjacent_rw ? "G2-item"
                                   : "G-nonadjacent-item";
  return name + (realtime ? "-realtime" : process ? "-process" : "");
}

CycleSearcher::CycleSearcher(const TxnGraph& graph)
    : graph_(graph),
      member_(graph.size(), 0),
      seen_(graph.size() * 4, 0),
      parent_(graph.size() * 4, 0),
      via_(graph.size() * 4, 0) {}

namespace {

// States: bit 0 = the last step was rw, bit 1 = the path after the start arc has an rw step.
struct Automaton {
  EdgeKind start;
  uint8_t free;         // kinds usable as ordinary steps
  bool rw_steps;        // rw usable as a step
  bool nonadjacent;     // ... but never right after another rw
  uint8_t start_state;  // state at the head of the start arc
  uint8_t goal_state;   // state required back at the tail of the start arc
};

Automaton automaton(Shape shape, uint8_t extra) {
  switch (shape) {
    case Shape::kG0: return {kWW, uint8_t(kWW | extra), false, false, 0, 0};
    case Shape::kG1c: return {kWR, uint8_t(kWW | kWR | extra), false, false, 0, 0};
    case Shape::kGSingle: return {kRW, uint8_t(kWW | kWR | extra), false, false, 0, 0};
    case Shape::kGNonadjacent: return {kRW, uint8_t(kWW | kWR | extra), true, true, 1, 2};
    case Shape::kG2: return {kRW, uint8_t(kWW | kWR | extra), true, false, 0, 2};
  }
  return {};
}

// The kind to show for a free step: data dependencies explain more than timing.
EdgeKind preferred(uint8_t kinds) {
  for (EdgeKind k : {kWW, kWR, kProcess, kRealtime})
    if (kinds & k) return k;
  return kRW;
}

}  // namespace

SearchResult CycleSearcher::find(const std::vector<uint32_t>& component, Shape shape, uint8_t extra_kinds,
                                 uint64_t budget) {
  Automaton m = automaton(shape, extra_kinds);
  ++component_stamp_;
  for (uint32_t v : component) member_[v] = component_stamp_;
  // Start arcs a -> b grouped by b, so one search from b serves every a.
  std::vector<std::pair<uint32_t, uint32_t>> starts;  // (b, a)
  for (uint32_t a : component)
    for (const Arc& arc : graph_.out(a))
      if ((arc.kinds & m.start) && member_[arc.to] == component_stamp_) starts.push_back({arc.to, a});
  std::sort(starts.begin(), starts.end());
  std::vector<uint32_t> queue;
  SearchResult result;
  for (size_t i = 0; i < starts.size();) {
    uint32_t b = starts[i].first;
    size_t j = i;
    // The tails of start arcs into b are the goals of one search from b.
    std::vector<uint32_t> goals;
    while (j < starts.size() && starts[j].first == b) goals.push_back(starts[j++].second);
    i = j;
    std::sort(goals.begin(), goals.end());
    ++search_stamp_;
    queue.clear();
    uint32_t origin = b * 4 + m.start_state;
    seen_[origin] = search_stamp_;
    queue.push_back(origin);
    for (size_t head = 0; head < queue.size(); ++head) {
      uint32_t state = queue[head];
      uint32_t v = state / 4, s = state % 4;
      if (s == m.goal_state && std::binary_search(goals.begin(), goals.end(), v)) {
        Cycle path;
        for (uint32_t at = state; at != origin; at = parent_[at])
          path.push_back({parent_[at] / 4, at / 4, EdgeKind(via_[at])});
        std::reverse(path.begin(), path.end());
        Cycle cycle{{v, b, m.start}};
        cycle.insert(cycle.end(), path.begin(), path.end());
        // Paths through states may visit a txn twice; only simple cycles are anomalies.
        std::vector<uint32_t> nodes;
        for (const Step& step : cycle) nodes.push_back(step.from);
        std::sort(nodes.begin(), nodes.end());
        if (std::adjacent_find(nodes.begin(), nodes.end()) == nodes.end()) {
          result.cycle = std::move(cycle);
          return result;
        }
      }
      for (const Arc& arc : graph_.out(v)) {
        if (budget-- == 0) {
          result.exhausted = true;
          return result;
        }
        if (member_[arc.to] != component_stamp_ || arc.to == b) continue;
        auto visit = [&](uint32_t next_state, EdgeKind kind) {
          uint32_t next = arc.to * 4 + next_state;
          if (seen_[next] == search_stamp_) return;
          seen_[next] = search_stamp_;
          parent_[next] = state;
          via_[next] = kind;
          queue.push_back(next);
        };
        if (arc.kinds & m.free) visit(s & 2, preferred(arc.kinds & m.free));
        if (m.rw_steps && (arc.kinds & kRW) && !(m.nonadjacent && (s & 1))) visit(m.nonadjacent ? 3 : 2, kRW);
      }
    }
  }
  return result;
}

}  // namespace faultline::txn
