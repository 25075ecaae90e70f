// Register and compare-and-set register, as in Knossos: read / write / cas [old new]. A read whose
// value is nil matches any state (the client did not learn what it read).
#include "checkers/linear/model.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

class RegisterModel : public Model {
 public:
  explicit RegisterModel(bool with_cas) : with_cas_(with_cas) {}

  std::string name() const override { return with_cas_ ? "cas-register" : "register"; }
  Json initial(const Json& initial) const override { return initial; }

  std::optional<Json> step(const Json& state, const ModelOp& op) const override {
    if (op.f == "read") {
      if (op.value.is_null() || op.value == state) return state;
      return std::nullopt;
    }
    if (op.f == "write") return op.value;
    if (op.value[0] != state) return std::nullopt;  // cas
    return op.value[1];
  }

  bool read_only(const ModelOp& op) const override { return op.f == "read"; }

  // The value a write or cas leaves is seen only by a read of it or a cas from it; until one comes,
  // whatever overwrites it erases every trace.
  bool unobservable(const ModelOp& op, const std::vector<const ModelOp*>& all) const override {
    const Json& left = op.f == "cas" ? op.value[1] : op.value;
    for (const ModelOp* other : all)
      if ((other->f == "read" && other->value == left) || (other->f == "cas" && other->value[0] == left))
        return false;
    return true;
  }

  void check_op(const ModelOp& op) const override {
    if (op.f == "read" || op.f == "write") return;
    if (with_cas_ && op.f == "cas") {
      if (op.value.is_array() && op.value.size() == 2) return;
      fail(ErrorCode::kBadInput, "cas-register: a cas op needs the value [old new], got " + op.value.dump());
    }
    fail(ErrorCode::kBadInput, name() + ": unknown op f \"" + op.f + "\"; expected read, write" +
                                   (with_cas_ ? ", cas" : "") + " (choose another --model?)");
  }

 private:
  bool with_cas_;
};

}  // namespace

std::unique_ptr<Model> register_model(bool with_cas) { return std::make_unique<RegisterModel>(with_cas); }

}  // namespace faultline::linear
