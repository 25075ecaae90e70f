// A mutex, as in Knossos: acquire when free, release when held.
#include "checkers/linear/model.h"
#include "checkers/linear/steps.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

// The mutex over ids: state 0 or 1 for the initial state and the other one, kind 0 acquire and 1
// release.
class MutexSteps : public Steps {
 public:
  MutexSteps(const CompactHistory& h, bool held)
      : h_(h), acquire_(h.find("acquire")), release_(h.find("release")), held_(held) {}

  int32_t intern_op(const CompactModelOp& op) override {
    if (op.f != kNoString && op.f == acquire_) return 0;
    if (op.f != kNoString && op.f == release_) return 1;
    fail(ErrorCode::kBadInput,
         "mutex: unknown op f \"" + std::string(h_.str(op.f)) + "\"; expected acquire or release");
  }
  int32_t step(int32_t state, int32_t kind) override {
    bool held = held_ != (state == 1);
    if (kind == 0) return held ? -1 : 1 - state;
    return held ? 1 - state : -1;
  }
  bool read_only(int32_t) const override { return false; }
  std::string describe(int32_t state) const override { return held_ != (state == 1) ? "held" : "free"; }

 private:
  const CompactHistory& h_;
  StringId acquire_, release_;
  bool held_;  // in state 0
};

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

  std::unique_ptr<Steps> compact_steps(const CompactHistory& h, const Json& initial,
                                       std::span<const CompactModelOp>) const override {
    return std::make_unique<MutexSteps>(h, initial.get<bool>());
  }
};

}  // namespace

std::unique_ptr<Model> mutex_model() { return std::make_unique<MutexModel>(); }

}  // namespace faultline::linear
