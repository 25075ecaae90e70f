#include "nemesis/partition.h"

#include <algorithm>

#include "harness/core/error.h"

namespace faultline {
namespace {

using Nodes = std::vector<std::string>;

std::pair<Nodes, Nodes> split_at(const Nodes& nodes, size_t k) {
  return {Nodes(nodes.begin(), nodes.begin() + static_cast<long>(k)),
          Nodes(nodes.begin() + static_cast<long>(k), nodes.end())};
}

void require_nodes(const Nodes& nodes, size_t at_least, const std::string& shape) {
  if (nodes.size() < at_least)
    fail(ErrorCode::kBadInput, "partition " + shape + " needs at least " + std::to_string(at_least) +
                                   " nodes, the cluster has " + std::to_string(nodes.size()));
}

Grudge explicit_grudge(const Json& grudge, const Nodes& nodes) {
  auto known = [&](const std::string& n) {
    if (std::find(nodes.begin(), nodes.end(), n) == nodes.end())
      fail(ErrorCode::kBadInput, "partition grudge names unknown node \"" + n + "\"");
  };
  if (!grudge.is_object()) fail(ErrorCode::kBadInput, "partition grudge must be an object {\"n1\": [\"n2\", …]}");
  Grudge out;
  for (const auto& [node, others] : grudge.items()) {
    known(node);
    if (!others.is_array()) fail(ErrorCode::kBadInput, "partition grudge of " + node + " must be a list of nodes");
    for (const auto& other : others) {
      if (!other.is_string()) fail(ErrorCode::kBadInput, "partition grudge of " + node + " must be a list of nodes");
      known(other.get<std::string>());
      if (other.get<std::string>() != node) out[node].insert(other.get<std::string>());
    }
  }
  return out;
}

}  // namespace

Grudge complete_grudge(const std::vector<Nodes>& components) {
  Grudge grudge;
  for (size_t i = 0; i < components.size(); ++i)
    for (size_t j = 0; j < components.size(); ++j)
      if (i != j)
        for (const auto& node : components[i]) grudge[node].insert(components[j].begin(), components[j].end());
  std::erase_if(grudge, [](const auto& entry) { return entry.second.empty(); });
  return grudge;
}

Grudge halves_grudge(const Nodes& nodes) {
  auto [a, b] = split_at(nodes, nodes.size() / 2);
  return complete_grudge({a, b});
}

Grudge isolate_grudge(const Nodes& nodes, const std::string& node) {
  Nodes rest;
  for (const auto& n : nodes)
    if (n != node) rest.push_back(n);
  return complete_grudge({{node}, rest});
}

Grudge majorities_ring_grudge(const Nodes& nodes) {
  size_t n = nodes.size(), majority = n / 2 + 1, back = (majority - 1) / 2;
  Grudge grudge;
  for (size_t i = 0; i < n; ++i) {
    std::set<size_t> heard;
    for (size_t k = 0; k < majority; ++k) heard.insert((i + n - back + k) % n);
    for (size_t j = 0; j < n; ++j)
      if (!heard.count(j)) grudge[nodes[i]].insert(nodes[j]);
  }
  return grudge;
}

Grudge bridge_grudge(const Nodes& nodes) {
  require_nodes(nodes, 3, "bridge");
  size_t middle = nodes.size() / 2;
  Nodes a(nodes.begin(), nodes.begin() + static_cast<long>(middle));
  Nodes b(nodes.begin() + static_cast<long>(middle) + 1, nodes.end());
  return complete_grudge({a, b});
}

Grudge minority_third_grudge(const Nodes& nodes) {
  auto [a, b] = split_at(nodes, std::max<size_t>(1, (nodes.size() - 1) / 3));
  return complete_grudge({a, b});
}

Grudge one_way_grudge(const Nodes& nodes) {
  auto [a, b] = split_at(nodes, nodes.size() / 2);
  Grudge grudge;
  for (const auto& node : a) grudge[node].insert(b.begin(), b.end());
  std::erase_if(grudge, [](const auto& entry) { return entry.second.empty(); });
  return grudge;
}

std::vector<std::string> partition_shapes() {
  return {"halves", "random-halves", "one", "majorities-ring", "bridge", "minority-third", "one-way"};
}

Grudge partition_grudge(const Json& shape, const Nodes& nodes, Rng& rng) {
  if (shape.is_object() && shape.contains("grudge")) return explicit_grudge(shape["grudge"], nodes);
  if (!shape.is_string())
    fail(ErrorCode::kBadInput, "partition " + shape.dump() + " must be a shape name or {\"grudge\": {…}}");
  const std::string name = shape.get<std::string>();
  require_nodes(nodes, 2, name);
  Nodes shuffled = nodes;
  rng.shuffle(shuffled);
  if (name == "halves") return halves_grudge(nodes);
  if (name == "random-halves") return halves_grudge(shuffled);
  if (name == "one") return isolate_grudge(nodes, shuffled.front());
  if (name == "majorities-ring") return majorities_ring_grudge(shuffled);
  if (name == "bridge") return bridge_grudge(shuffled);
  if (name == "minority-third") return minority_third_grudge(shuffled);
  if (name == "one-way") return one_way_grudge(shuffled);
  std::string known;
  for (const auto& s : partition_shapes()) known += (known.empty() ? "" : ", ") + s;
  fail(ErrorCode::kBadInput, "unknown partition shape \"" + name + "\"; known: " + known + ", or {\"grudge\": {…}}");
}

Json to_json(const Grudge& grudge) {
  Json out = Json::object();
  for (const auto& [node, others] : grudge) out[node] = others;
  return out;
}

}  // namespace faultline
