// Partition shapes as grudges: which nodes each node stops hearing. Pure functions of the node list
// and a seeded Rng, so a schedule replays from its seed.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness/core/json.h"
#include "harness/core/random.h"

namespace faultline {

// node -> the nodes whose packets it drops. Nodes that hear everyone are left out.
using Grudge = std::map<std::string, std::set<std::string>>;

// Every node of each component stops hearing every node outside it.
Grudge complete_grudge(const std::vector<std::vector<std::string>>& components);
// The first floor(n/2) nodes against the rest (Jepsen's bisect).
Grudge halves_grudge(const std::vector<std::string>& nodes);
// `node` alone against the rest.
Grudge isolate_grudge(const std::vector<std::string>& nodes, const std::string& node);
// Nodes on a ring each hear only the majority window around themselves, so every node sees a
// majority but no two see the same one.
Grudge majorities_ring_grudge(const std::vector<std::string>& nodes);
// Two halves that cannot hear each other and one bridge node (the middle one) that hears both.
Grudge bridge_grudge(const std::vector<std::string>& nodes);
// floor((n-1)/3) nodes (at least one) against the rest.
Grudge minority_third_grudge(const std::vector<std::string>& nodes);
// The first floor(n/2) nodes stop hearing the rest, which still hear them: a one-way cut.
Grudge one_way_grudge(const std::vector<std::string>& nodes);

// The shapes partition_grudge knows.
std::vector<std::string> partition_shapes();
// The grudge of a shape for nodes shuffled by rng ("halves" is not shuffled, "random-halves" is).
// `shape` is a name of partition_shapes() or {"grudge": {"n1": ["n2", …], …}} naming known nodes.
// Throws Error(kBadInput) naming the bad shape or node.
Grudge partition_grudge(const Json& shape, const std::vector<std::string>& nodes, Rng& rng);

Json to_json(const Grudge& grudge);

}  // namespace faultline
