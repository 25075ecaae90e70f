// A multi-register, as in Knossos: f "txn" with value [[read k v] [write k v] ...] applied atomically
// over a map of registers. A read with nil value matches anything; an absent key holds nil.
#include "checkers/linear/model.h"
#include "checkers/linear/steps.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

// JSON object keys are strings; keywords already are, other keys are printed.
std::string key_of(const Json& k) { return k.is_string() ? k.get<std::string>() : k.dump(); }

// The multi-register over ids: a state is the interned sequence of value ids per register (-1 for
// a register never written), a txn the interned sequence of its micro-ops as (write?, register,
// value id or -1 for a read of nil) triples.
class MultiRegisterSteps : public Steps {
 public:
  MultiRegisterSteps(const CompactHistory& h, const Json& initial)
      : h_(h), values_(h), keys_(h), txn_(h.find("txn")), read_(h.find("read")), write_(h.find("write")) {
    null_ = values_.of(Json());
    std::vector<int32_t> registers;
    for (const auto& [name, value] : initial.items()) set(registers, register_named(name), values_.of(value));
    states_.intern(registers);
  }

  int32_t intern_op(const CompactModelOp& op) override {
    auto bad = [&] {
      fail(ErrorCode::kBadInput, "multi-register: expected f txn with value [[read|write key value] ...], got " +
                                     std::string(h_.str(op.f)) + " " + h_.json(op.value).dump());
    };
    if (op.f == kNoString || op.f != txn_ || !h_.is_array(op.value)) bad();
    scratch_.clear();
    bool reads_only = true;
    for (size_t i = 0; i < h_.count(op.value); ++i) {
      ValueId micro = h_.element(op.value, i);
      if (h_.count(micro) != 3) bad();
      ValueId what = h_.element(micro, 0), value = h_.element(micro, 2);
      bool write = h_.is_string(what) && write_ != kNoString && h_.as_string(what) == write_;
      bool read = h_.is_string(what) && read_ != kNoString && h_.as_string(what) == read_;
      if (!write && !read) bad();
      reads_only &= read;
      scratch_.push_back(write);
      scratch_.push_back(register_of(h_.element(micro, 1)));
      scratch_.push_back(read && h_.is_null(value) ? -1 : values_.of(value));
    }
    int32_t id = txns_.intern(scratch_);
    if (size_t(id) >= read_only_.size()) read_only_.resize(id + 1);
    read_only_[id] = reads_only;
    return id;
  }

  int32_t step(int32_t state, int32_t id) override {
    if (int32_t known = memo_.find(state, id); known != StepMemo::kUnknown) return known;
    std::span<const int32_t> now = states_.at(state);
    std::vector<int32_t> next(now.begin(), now.end());
    std::span<const int32_t> txn = txns_.at(id);
    int32_t result = -2;
    for (size_t m = 0; m < txn.size() && result == -2; m += 3) {
      int32_t reg = txn[m + 1], value = txn[m + 2];
      if (txn[m]) {
        set(next, reg, value);
      } else if (value >= 0) {
        int32_t held = size_t(reg) < next.size() && next[reg] >= 0 ? next[reg] : null_;
        if (held != value) result = -1;
      }
    }
    if (result == -2) result = states_.intern(next);
    memo_.put(state, id, result);
    return result;
  }

  bool read_only(int32_t id) const override { return read_only_[id]; }

  std::string describe(int32_t state) const override {  // as the Json model's object
    Json object = Json::object();
    std::span<const int32_t> registers = states_.at(state);
    for (size_t r = 0; r < registers.size(); ++r)
      if (registers[r] >= 0) object[names_[r]] = values_.json(registers[r]);
    return object.dump();
  }

 private:
  static void set(std::vector<int32_t>& registers, int32_t reg, int32_t value) {
    if (size_t(reg) >= registers.size()) registers.resize(reg + 1, -1);
    registers[reg] = value;
  }
  int32_t register_named(const std::string& name) {
    auto [it, added] = register_ids_.emplace(name, int32_t(names_.size()));
    if (added) names_.push_back(name);
    return it->second;
  }
  int32_t register_of(ValueId key) {  // keys that print alike are one register, as in the Json model
    int32_t k = keys_.of(key);
    if (size_t(k) >= key_registers_.size()) key_registers_.resize(k + 1, -1);
    if (key_registers_[k] < 0) key_registers_[k] = register_named(key_of(keys_.json(k)));
    return key_registers_[k];
  }

  const CompactHistory& h_;
  ValueIds values_, keys_;
  StringId txn_, read_, write_;
  int32_t null_ = 0;
  std::map<std::string, int32_t> register_ids_;
  std::vector<std::string> names_;
  std::vector<int32_t> key_registers_;  // key value id -> register
  SequenceIds states_, txns_;
  std::vector<bool> read_only_;  // per txn
  StepMemo memo_;
  std::vector<int32_t> scratch_;
};

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

  std::unique_ptr<Steps> compact_steps(const CompactHistory& h, const Json& initial,
                                       std::span<const CompactModelOp>) const override {
    return std::make_unique<MultiRegisterSteps>(h, initial);
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
