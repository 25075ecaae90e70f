// A multi-register, as in Knossos: f "txn" with value [[read k v] [write k v] ...] applied atomically
// over a map of registers. A read with nil value matches anything; an absent key holds nil.
#include "checkers/linear/model.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

// JSON object keys are strings; keywords already are, other keys are printed.
std::string key_of(const Json& k) { return k.is_string() ? k.get<std::string>() : k.dump(); }

class MultiRegisterModel : public Model {
 public:
  std::string name() const override { return "multi-register"; }
  Json initial(const Json& initial) const override { return initial.is_object() ? initial : Json::object(); }

  std::optional<Json> step(const Json& state, const ModelOp& op) const override {
    Json next = state;
    for (const Json& micro : op.value) {
      std::string key = key_of(micro[1]);
      if (micro[0] == "write") {
        next[key] = micro[2];
        continue;
      }
      if (micro[2].is_null()) continue;
      auto it = next.find(key);
      if (micro[2] != (it == next.end() ? Json(nullptr) : *it)) return std::nullopt;
    }
    return next;
  }

  bool read_only(const ModelOp& op) const override {
    for (const Json& micro : op.value)
      if (micro[0] != "read") return false;
    return true;
  }

  void check_op(const ModelOp& op) const override {
    auto bad = [&] {
      fail(ErrorCode::kBadInput, "multi-register: expected f txn with value [[read|write key value] ...], got " + op.f +
                                     " " + op.value.dump());
    };
    if (op.f != "txn" || !op.value.is_array()) bad();
    for (const Json& micro : op.value)
      if (!micro.is_array() || micro.size() != 3 || (micro[0] != "read" && micro[0] != "write")) bad();
  }
};

}  // namespace

std::unique_ptr<Model> multi_register_model() { return std::make_unique<MultiRegisterModel>(); }

}  // namespace faultline::linear
