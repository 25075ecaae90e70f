#include "targets/registry.h"

#include <functional>
#include <map>

#include "harness/core/error.h"
#include "targets/etcd/etcd_target.h"
#include "targets/maelstrom/maelstrom_target.h"
#include "targets/memory/memory_target.h"
#include "targets/spec/spec_target.h"

namespace faultline {
namespace {

using Factory = std::function<std::unique_ptr<Target>(const Spec&)>;

const std::map<std::string, Factory>& table() {
  static const std::map<std::string, Factory> t = {
      {"memory", [](const Spec& s) { return memory_target("", s.target_options, s.seed); }},
      {"etcd", [](const Spec& s) { return etcd_target(s.target_options); }},
      {"spec", [](const Spec& s) { return spec_target(s.target_options); }},
      {"maelstrom", [](const Spec& s) { return maelstrom_target(s.target_options); }},
  };
  return t;
}

}  // namespace

std::unique_ptr<Target> make_target(const Spec& spec) {
  auto it = table().find(spec.target);
  if (it == table().end()) {
    std::string known;
    for (const auto& n : target_names()) known += (known.empty() ? "" : ", ") + n;
    fail(ErrorCode::kNotFound, "unknown target \"" + spec.target + "\"; known: " + known);
  }
  return it->second(spec);
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& [name, f] : table()) names.push_back(name);
  return names;
}

}  // namespace faultline
