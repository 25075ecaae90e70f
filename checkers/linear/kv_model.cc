// One key of a key-value store (histories give [key value] tuples and are split per key):
// get / put / append, like Porcupine's kv model. Append concatenates strings and appends other values
// to a list. A get with nil value matches anything.
#include <algorithm>

#include "checkers/linear/model.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

class KvModel : public Model {
 public:
  std::string name() const override { return "kv"; }
  Json initial(const Json& initial) const override { return initial; }

  std::optional<Json> step(const Json& state, const ModelOp& op) const override {
    if (op.f == "get" || op.f == "read") {
      if (op.value.is_null() || op.value == state) return state;
      return std::nullopt;
    }
    if (op.f == "put" || op.f == "write") return op.value;
    if (op.value.is_string() && (state.is_null() || state.is_string()))  // append
      return (state.is_null() ? std::string() : state.get<std::string>()) + op.value.get<std::string>();
    Json list = state.is_array() ? state : state.is_null() ? Json::array() : Json::array({state});
    list.push_back(op.value);
    return list;
  }

  bool read_only(const ModelOp& op) const override { return op.f == "get" || op.f == "read"; }

  // A put or append shows in every get until the next put; if no get contains what it wrote, nothing
  // can tell that it happened.
  bool unobservable(const ModelOp& op, const std::vector<const ModelOp*>& all) const override {
    if (op.value.is_structured()) return false;  // parts of it could show inside later values
    for (const ModelOp* other : all) {
      if (!read_only(*other)) continue;
      const Json& got = other->value;
      if (got == op.value) return false;
      if (got.is_string() && op.value.is_string() &&
          got.get_ref<const std::string&>().find(op.value.get_ref<const std::string&>()) != std::string::npos)
        return false;
      if (got.is_array() && std::find(got.begin(), got.end(), op.value) != got.end()) return false;
    }
    return true;
  }

  void check_op(const ModelOp& op) const override {
    static const char* known[] = {"get", "read", "put", "write", "append"};
    for (const char* f : known)
      if (op.f == f) return;
    fail(ErrorCode::kBadInput, "kv: unknown op f \"" + op.f + "\"; expected get, put or append (read/write also accepted)");
  }
};

}  // namespace

std::unique_ptr<Model> kv_model() { return std::make_unique<KvModel>(); }

}  // namespace faultline::linear
