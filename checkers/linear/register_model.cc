// Register and compare-and-set register, as in Knossos: read / write / cas [old new]. A read whose
// value is nil matches any state (the client did not learn what it read).

#include "checkers/linear/model.h"
#include "checkers/linear/steps.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

// The register over interned ids: a state is the id of the value it holds, so a step is a compare
// of two integers and needs no memo.
class RegisterSteps : public Steps {
 public:
  RegisterSteps(const CompactHistory& h, const Json& initial, bool with_cas, size_t ops)
      : h_(h), values_(h), with_cas_(with_cas), read_(h.find("read")), write_(h.find("write")), cas_(h.find("cas")) {
    values_.of(initial);
    kinds_.reserve(ops);
  }

  int32_t intern_op(const CompactModelOp& op) override {
    Kind kind{Kind::kRead, -1, -1};
    if (op.f == read_ && read_ != kNoString) {
      bool any = h_.is_null(op.value);
      kind = {any ? Kind::kReadAny : Kind::kRead, any ? -1 : values_.of(op.value), -1};
    } else if (op.f == write_ && write_ != kNoString) {
      kind = {Kind::kWrite, values_.of(op.value), -1};
    } else if (with_cas_ && op.f == cas_ && cas_ != kNoString) {
      if (h_.count(op.value) != 2)
        fail(ErrorCode::kBadInput, "cas-register: a cas op needs the value [old new], got " + h_.json(op.value).dump());
      kind = {Kind::kCas, values_.of(h_.element(op.value, 0)), values_.of(h_.element(op.value, 1))};
    } else {
      fail(ErrorCode::kBadInput, std::string(with_cas_ ? "cas-register" : "register") + ": unknown op f \"" +
                                     std::string(h_.str(op.f)) + "\"; expected read, write" +
                                     (with_cas_ ? ", cas" : "") + " (choose another --model?)");
    }
    uint64_t key = (uint64_t(kind.f) << 62) | (uint64_t(uint32_t(kind.a + 1)) << 31) | uint32_t(kind.b + 1);
    return kinds_.intern(key, kind);
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

  // As RegisterModel::unobservable: the value left is seen only by a read of it or a cas from it.
  bool unobservable(int32_t id, std::span<const int32_t> kinds) const override {
    const Kind& k = kinds_[id];
    int32_t left = k.f == Kind::kCas ? k.b : k.a;
    bool left_null = values_.json(left).is_null();
    for (int32_t other : kinds) {
      const Kind& o = kinds_[other];
      if ((o.f == Kind::kRead || o.f == Kind::kCas) && o.a == left) return false;
      if (o.f == Kind::kReadAny && left_null) return false;  // a nil read equals a nil left
    }
    return true;
  }

  std::string describe(int32_t state) const override { return values_.json(state).dump(); }

 private:
  struct Kind {
    enum F { kRead, kReadAny, kWrite, kCas } f;
    int32_t a, b;  // value ids: read / written / cas from a to b
  };

  const CompactHistory& h_;
  ValueIds values_;  // state 0 is the initial value
  bool with_cas_;
  StringId read_, write_, cas_;
  KindTable<Kind> kinds_;
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

  std::unique_ptr<Steps> compact_steps(const CompactHistory& h, const Json& initial,
                                       std::span<const CompactModelOp> ops) const override {
    return std::make_unique<RegisterSteps>(h, initial, with_cas_, ops.size());
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
