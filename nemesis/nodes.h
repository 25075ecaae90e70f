// The nodes a nemesis acts on: their sessions by name, choosing nodes for a fault, and running a
// step on many of them at once.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/control/session.h"
#include "harness/core/json.h"
#include "harness/core/random.h"

namespace faultline {

// The node selectors select() understands, besides an explicit list of node names.
std::vector<std::string> node_selectors();

class NemesisNodes {
 public:
  explicit NemesisNodes(std::vector<Session*> sessions);
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<Session*>& sessions() const { return sessions_; }
  // Throws Error(kBadInput) for a node not in the cluster.
  Session& at(const std::string& name) const;

  // The nodes a selector names, in cluster order: "one", "minority" (1..(n-1)/2 nodes),
  // "majority" (n/2+1), "all", "primaries" (from `primaries`, which may return none), or a list
  // of node names. Random choices come from rng. Throws Error(kBadInput) for an unknown selector.
  std::vector<std::string> select(const Json& selector, Rng& rng,
                                  const std::function<std::vector<std::string>()>& primaries = {}) const;

  // The nodes an op's value names: its "nodes" (the value itself when not an object, `fallback`
  // when it names none). A selector in `remembered` ("killed", "off") names the nodes the nemesis
  // remembers under it; any other goes to select().
  std::vector<std::string> chosen(const Json& value, const Json& fallback, Rng& rng,
                                  const std::map<std::string, std::set<std::string>>& remembered = {},
                                  const std::function<std::vector<std::string>()>& primaries = {}) const;

  // Runs step(session) on each named node at once; returns one result per node (name -> value)
  // or throws one Error listing every node that failed. Nodes whose power is off are passed by.
  Json on_each(const std::vector<std::string>& nodes, const std::function<Json(Session&)>& step) const;

  // Power, shared by every copy: nothing reaches a node that is off, so selectors choose among the
  // others and on_each passes it by. The power nemesis marks a node on before it boots it.
  void set_powered(const std::string& node, bool on) const;
  bool powered_off(const std::string& node) const;
  std::set<std::string> powered_off_nodes() const;
  // How often the node was powered on again: what a fault left on it before is gone since.
  int boots(const std::string& node) const;

 private:
  struct Power;
  std::vector<Session*> sessions_;
  std::vector<std::string> names_;
  std::shared_ptr<Power> power_;
};

}  // namespace faultline
