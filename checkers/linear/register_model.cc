// Register and compare-and-set register, as in Knossos: read / write / cas [old new]. A read whose
// value is nil matches any state (the client did not learn what it read).
#include <map>
#include <tuple>

#include "checkers/linear/model.h"
#include "checkers/linear/steps.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

// The register over interned ids: a state is the id of the value it holds, so a step is a compare
// of two integers and needs no memo.
class RegisterSteps : public Steps {
 public:
  explicit RegisterSteps(const Json& initial) { value_id(initial); }

  int32_t intern_op(const ModelOp& op) override {
    Kind kind{Kind::kRead, -1, -1};
    if (op.f == "read") {
      kind = {op.value.is_null() ? Kind::kReadAny : Kind::kRead, op.value.is_null() ? -1 : value_id(op.value), -1};
    } else if (op.f == "write") {
      kind = {Kind::kWrite, value_id(op.value), -1};
    } else {
      kind = {Kind::kCas, value_id(op.value[0]), value_id(op.value[1])};
    }
    auto [it, added] = kind_ids_.emplace(std::make_tuple(int(kind.f), kind.a, kind.b), int32_t(kinds_.size()));
    if (added) kinds_.push_back(kind);
    return it->second;
  }

  int32_t step(int32_t state, int32_t id) override {
    const Kind& k = kinds_[id];
    switch (k.f) {
      case Kind::kReadAny: return state;
      case Kind::kRead: return k.a == state ? state : -1;
      case Kind::kWrite: return k.a;
      case Kind::kCas: return k.a == state ? k.b : -1;
    }
    return -1;
  }

  bool read_only(int32_t id) const override { return kinds_[id].f <= Kind::kReadAny; }
  std::string describe(int32_t state) const override { return values_[state].dump(); }

 private:
  struct Kind {
    enum F { kRead, kReadAny, kWrite, kCas } f;
    int32_t a, b;  // value ids: read / written / cas from a to b
  };

  // One id per value that Json's == calls equal (its < orders numbers by value, as == compares them).
  int32_t value_id(const Json& value) {
    auto [it, added] = value_ids_.emplace(value, int32_t(values_.size()));
    if (added) values_.push_back(value);
    return it->second;
  }

  std::vector<Json> values_;
  std::map<Json, int32_t> value_ids_;
  std::vector<Kind> kinds_;
  std::map<std::tuple<int, int32_t, int32_t>, int32_t> kind_ids_;
};

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
      if ((other->f == "read" && other->value == left) || (other->f == "cas" && other->value[0] == left)) return false;
    return true;
  }

  std::string describe(const Json& state) const override { return state.dump(); }  // as RegisterSteps does

  std::unique_ptr<Steps> compact_steps(const Json& initial, const std::vector<const ModelOp*>&) const override {
    return std::make_unique<RegisterSteps>(initial);
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
