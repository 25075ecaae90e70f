#include "checkers/linear/model.h"

#include <functional>
#include <map>

#include "checkers/linear/steps.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

const std::map<std::string, std::function<std::unique_ptr<Model>()>>& models() {
  static const std::map<std::string, std::function<std::unique_ptr<Model>()>> table = {
      {"register", [] { return register_model(false); }},
      {"cas-register", [] { return register_model(true); }},
      {"mutex", [] { return mutex_model(); }},
      {"linear-set", [] { return set_model(); }},
      {"unordered-queue", [] { return queue_model(false); }},
      {"fifo-queue", [] { return queue_model(true); }},
      {"multi-register", [] { return multi_register_model(); }},
      {"kv", [] { return kv_model(); }},
  };
  return table;
}

}  // namespace

std::unique_ptr<Steps> Model::compact_steps(const Json&, const std::vector<const ModelOp*>&) const { return nullptr; }

std::unique_ptr<Model> make_model(const std::string& name) {
  auto it = models().find(name);
  if (it == models().end()) {
    std::string known;
    for (const auto& n : model_names()) known += (known.empty() ? "" : ", ") + n;
    fail(ErrorCode::kNotFound, "unknown linearizability model \"" + name + "\"; known: " + known);
  }
  return it->second();
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : models()) names.push_back(name);
  return names;
}

}  // namespace faultline::linear
