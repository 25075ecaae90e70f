// The dependency graph between transactions and the searches for cycles in it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "checkers/txn/txns.h"

namespace faultline::txn {

// Why T1 must precede T2. An edge carries every kind that holds between its two txns.
enum EdgeKind : uint8_t {
  kWW = 1,        // T2 overwrote (appended after) T1's write
  kWR = 2,        // T2 read T1's write
  kRW = 4,        // T1 read a version that T2 overwrote
  kProcess = 8,   // same process, T1 first
  kRealtime = 16  // T1 completed before T2 was invoked
};
inline constexpr uint8_t kDataKinds = kWW | kWR | kRW;

std::string edge_kind_name(EdgeKind kind);

struct Edge {
  uint32_t from;
  uint32_t to;
  uint8_t kinds;
};

struct Arc {
  uint32_t to;
  uint8_t kinds;
};

// A compact adjacency structure; duplicate edges are merged and self-edges dropped.
class TxnGraph {
 public:
  TxnGraph(size_t nodes, std::vector<Edge> edges);
  size_t size() const { return offsets_.size() - 1; }
  std::span<const Arc> out(uint32_t node) const {
    return {arcs_.data() + offsets_[node], arcs_.data() + offsets_[node + 1]};
  }
  size_t edge_count() const { return arcs_.size(); }

 private:
  std::vector<uint32_t> offsets_;
  std::vector<Arc> arcs_;
};

// Process order among `txns` (ids in completion order): each to the next one of its process.
std::vector<Edge> process_edges(const TxnHistory& history, const std::vector<uint32_t>& txns);
// Real-time order among `txns` as a transitive reduction: T1 -> T2 only when no T3 of `txns`
// sits between them, so the number of edges stays about linear.
std::vector<Edge> realtime_edges(const TxnHistory& history, const std::vector<uint32_t>& txns);
// Both orders among every txn that may have committed.
std::vector<Edge> session_edges(const TxnHistory& history);

// The strongly connected components with more than one node, over arcs with a kind in `mask`.
std::vector<std::vector<uint32_t>> cyclic_components(const TxnGraph& graph, uint8_t mask);

// One step of a cycle: from -> to, justified by `kind`.
struct Step {
  uint32_t from;
  uint32_t to;
  EdgeKind kind;
};
using Cycle = std::vector<Step>;

// The cycle shapes Elle names; each search finds a shortest cycle of that shape.
enum class Shape { kG0, kG1c, kGSingle, kGNonadjacent, kG2 };

// Elle's name for a cycle: G0, G1c, G-single-item, G-nonadjacent-item or G2-item by its data
// edges, suffixed -process or -realtime when it needs those edges.
std::string classify(const Cycle& cycle);

struct SearchResult {
  std::optional<Cycle> cycle;
  bool exhausted = false;  // the work budget ran out before the search finished
};

// Searches one component for a cycle of `shape` whose non-data edges are among `extra_kinds`.
// Stops after `budget` arc visits and says so.
class CycleSearcher {
 public:
  explicit CycleSearcher(const TxnGraph& graph);
  SearchResult find(const std::vector<uint32_t>& component, Shape shape, uint8_t extra_kinds, uint64_t budget);

 private:
  const TxnGraph& graph_;
  std::vector<uint32_t> member_;  // stamp: node belongs to the component being searched
  std::vector<uint32_t> seen_;    // stamp per (node, state)
  std::vector<uint32_t> parent_;  // (node, state) we came from
  std::vector<uint8_t> via_;      // kind of the arc we came by
  uint32_t component_stamp_ = 0;
  uint32_t search_stamp_ = 0;
};

}  // namespace faultline::txn
