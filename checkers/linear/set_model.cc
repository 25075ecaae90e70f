// A linearizable set, as in Knossos: add x; read returns the whole set (order ignored).
#include <algorithm>

#include "checkers/linear/model.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

// States are sorted, duplicate-free arrays, so equal sets are equal JSON.
Json normalized(Json elements) {
  std::sort(elements.begin(), elements.end());
  elements.erase(std::unique(elements.begin(), elements.end()), elements.end());
  return elements;
}

class SetModel : public Model {
 public:
  std::string name() const override { return "linear-set"; }
  Json initial(const Json& initial) const override { return normalized(initial.is_array() ? initial : Json::array()); }

  std::optional<Json> step(const Json& state, const ModelOp& op) const override {
    if (op.f == "add") {
      Json next = state;
      next.push_back(op.value);
      return normalized(std::move(next));
    }
    if (op.value.is_null() || normalized(op.value) == state) return state;  // read
    return std::nullopt;
  }

  bool read_only(const ModelOp& op) const override { return op.f == "read"; }

  void check_op(const ModelOp& op) const override {
    if (op.f == "add") return;
    if (op.f == "read" && (op.value.is_null() || op.value.is_array())) return;
    fail(ErrorCode::kBadInput, "linear-set: expected add x or read [elements], got " + op.f + " " + op.value.dump());
  }
};

}  // namespace

std::unique_ptr<Model> set_model() { return std::make_unique<SetModel>(); }

}  // namespace faultline::linear
