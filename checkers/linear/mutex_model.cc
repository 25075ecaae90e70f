// A mutex, as in Knossos: acquire when free, release when held.
#include "checkers/linear/model.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

class MutexModel : public Model {
 public:
  std::string name() const override { return "mutex"; }
  Json initial(const Json& initial) const override { return initial.is_boolean() && initial.get<bool>(); }

  std::optional<Json> step(const Json& state, const ModelOp& op) const override {
    bool held = state.get<bool>();
    if (op.f == "acquire") return held ? std::nullopt : std::optional<Json>(true);
    return held ? std::optional<Json>(false) : std::nullopt;
  }

  bool read_only(const ModelOp&) const override { return false; }

  void check_op(const ModelOp& op) const override {
    if (op.f != "acquire" && op.f != "release")
      fail(ErrorCode::kBadInput, "mutex: unknown op f \"" + op.f + "\"; expected acquire or release");
  }

  std::string describe(const Json& state) const override { return state.get<bool>() ? "held" : "free"; }
};

}  // namespace

std::unique_ptr<Model> mutex_model() { return std::make_unique<MutexModel>(); }

}  // namespace faultline::linear
