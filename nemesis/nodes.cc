#include "nemesis/nodes.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "harness/control/fan_out.h"
#include "harness/core/error.h"

namespace faultline {

std::vector<std::string> node_selectors() { return {"one", "minority", "majority", "all", "primaries"}; }

struct NemesisNodes::Power {
  std::mutex mutex;
  std::set<std::string> off;         // guarded by mutex
  std::map<std::string, int> boots;  // guarded by mutex
};

NemesisNodes::NemesisNodes(std::vector<Session*> sessions)
    : sessions_(std::move(sessions)), power_(std::make_shared<Power>()) {
  for (Session* s : sessions_) names_.push_back(s->node());
}

Session& NemesisNodes::at(const std::string& name) const {
  auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end())
    fail(ErrorCode::kBadInput, "the nemesis was asked for node \"" + name + "\", which is not in the cluster");
  return *sessions_[static_cast<size_t>(it - names_.begin())];
}

std::vector<std::string> NemesisNodes::select(const Json& selector, Rng& rng,
                                              const std::function<std::vector<std::string>()>& primaries) const {
  std::vector<std::string> chosen;
  if (selector.is_array()) {
    for (const auto& n : selector) {
      if (!n.is_string()) fail(ErrorCode::kBadInput, "node list " + selector.dump() + " must hold node names");
      at(n.get<std::string>());
      chosen.push_back(n.get<std::string>());
    }
  } else {
    std::string name = selector.is_string() ? selector.get<std::string>() : selector.dump();
    std::vector<std::string> shuffled = names_;
    rng.shuffle(shuffled);
    size_t n = names_.size();
    auto first = [&](size_t k) {
      return std::vector<std::string>(shuffled.begin(), shuffled.begin() + static_cast<long>(std::min(k, n)));
    };
    if (name == "one")
      chosen = first(1);
    else if (name == "minority")
      chosen = first(n < 3 ? 1 : 1 + rng.below((n - 1) / 2));
    else if (name == "majority")
      chosen = first(n / 2 + 1);
    else if (name == "all")
      chosen = names_;
    else if (name == "primaries")
      chosen = primaries ? primaries() : std::vector<std::string>{};
    else {
      std::string known;
      for (const auto& s : node_selectors()) known += s + ", ";
      fail(ErrorCode::kBadInput,
           "unknown node selector " + selector.dump() + "; use one of " + known + "or a list of node names");
    }
  }
  // Cluster order, no duplicates: the same choice always reads the same in a history.
  std::vector<std::string> ordered;
  for (const auto& name : names_)
    if (std::find(chosen.begin(), chosen.end(), name) != chosen.end() && !powered_off(name)) ordered.push_back(name);
  return ordered;
}

std::vector<std::string> NemesisNodes::chosen(const Json& value, const Json& fallback, Rng& rng,
                                              const std::map<std::string, std::set<std::string>>& remembered,
                                              const std::function<std::vector<std::string>()>& primaries) const {
  Json selector = value.is_object() ? (value.contains("nodes") && !value["nodes"].is_null() ? value["nodes"] : fallback)
                  : value.is_null() ? fallback
                                    : value;
  if (selector.is_string()) {
    auto it = remembered.find(selector.get<std::string>());
    if (it != remembered.end()) return {it->second.begin(), it->second.end()};
  }
  return select(selector, rng, primaries);
}

Json NemesisNodes::on_each(const std::vector<std::string>& nodes, const std::function<Json(Session&)>& step) const {
  std::vector<std::string> on;
  std::vector<std::reference_wrapper<Session>> targets;
  for (const auto& name : nodes) {
    if (powered_off(name)) continue;
    on.push_back(name);
    targets.emplace_back(at(name));
  }
  auto values = values_or_throw(fan_out(targets, [&](std::reference_wrapper<Session> s) { return step(s.get()); }));
  Json out = Json::object();
  for (size_t i = 0; i < on.size(); ++i) out[on[i]] = std::move(values[i]);
  return out;
}

void NemesisNodes::set_powered(const std::string& node, bool on) const {
  std::lock_guard lock(power_->mutex);
  if (on && power_->off.erase(node)) ++power_->boots[node];
  if (!on) power_->off.insert(node);
}

bool NemesisNodes::powered_off(const std::string& node) const {
  std::lock_guard lock(power_->mutex);
  return power_->off.count(node) > 0;
}

std::set<std::string> NemesisNodes::powered_off_nodes() const {
  std::lock_guard lock(power_->mutex);
  return power_->off;
}

int NemesisNodes::boots(const std::string& node) const {
  std::lock_guard lock(power_->mutex);
  auto it = power_->boots.find(node);
  return it == power_->boots.end() ? 0 : it->second;
}

}  // namespace faultline
