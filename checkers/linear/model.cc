#include "checkers/linear/model.h"

#include <functional>
#include <map>

#include "checkers/linear/steps.h"
#include "harness/core/error.h"
#include "harness/core/registry.h"

namespace faultline::linear {
namespace {

using Factory = std::function<std::unique_ptr<Model>()>;

const Registry<Factory>& models() {
  static const Registry<Factory> table("linearizability model",
                                       std::map<std::string, Factory>{
                                           {"register", [] { return register_model(false); }},
                                           {"cas-register", [] { return register_model(true); }},
                                           {"mutex", [] { return mutex_model(); }},
                                           {"linear-set", [] { return set_model(); }},
                                           {"unordered-queue", [] { return queue_model(false); }},
                                           {"fifo-queue", [] { return queue_model(true); }},
                                           {"multi-register", [] { return multi_register_model(); }},
                                           {"kv", [] { return kv_model(); }},
                                       });
  return table;
}

}  // namespace

std::unique_ptr<Steps> Model::compact_steps(const CompactHistory&, const Json&, std::span<const CompactModelOp>) const {
  return nullptr;
}

std::unique_ptr<Model> make_model(const std::string& name) { return models().at(name)(); }

std::vector<std::string> model_names() { return models().names(); }

}  // namespace faultline::linear
