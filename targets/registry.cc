#include "targets/registry.h"

#include <functional>
#include <map>

#include "harness/core/registry.h"
#include "targets/etcd/etcd_target.h"
#include "targets/maelstrom/maelstrom_target.h"
#include "targets/memory/memory_target.h"
#include "targets/spec/spec_target.h"

namespace faultline {
namespace {

using Factory = std::function<std::unique_ptr<Target>(const Spec&)>;

const Registry<Factory>& table() {
  static const Registry<Factory> t(
      "target", std::map<std::string, Factory>{
                    {"memory", [](const Spec& s) { return memory_target("", s.target_options, s.seed); }},
                    {"etcd", [](const Spec& s) { return etcd_target(s.target_options); }},
                    {"spec", [](const Spec& s) { return spec_target(s.target_options); }},
                    {"maelstrom", [](const Spec& s) { return maelstrom_target(s.target_options); }},
                });
  return t;
}

}  // namespace

std::unique_ptr<Target> make_target(const Spec& spec) { return table().at(spec.target)(spec); }

std::vector<std::string> target_names() { return table().names(); }

}  // namespace faultline
