// A linearizable set, as in Knossos: add x; read returns the whole set (order ignored).
#include <algorithm>

#include "checkers/linear/model.h"
#include "checkers/linear/steps.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

// The set over ids: a state is the sorted ids of its elements, interned; a read of a whole set is
// the id of that set, so it compares one integer.
class SetSteps : public Steps {
 public:
  SetSteps(const CompactHistory& h, const Json& initial)
      : h_(h), values_(h), add_(h.find("add")), read_(h.find("read")) {
    std::vector<int32_t> elements;
    for (const Json& e : initial) elements.push_back(values_.of(e));
    sets_.intern(normalized(elements));
  }

  int32_t intern_op(const CompactModelOp& op) override {
    Kind kind;
    if (op.f != kNoString && op.f == add_) {
      kind = {true, values_.of(op.value)};
    } else if (op.f != kNoString && op.f == read_ && (h_.is_null(op.value) || h_.is_array(op.value))) {
      if (!h_.is_null(op.value)) {
        std::vector<int32_t> elements;
        for (size_t i = 0; i < h_.count(op.value); ++i) elements.push_back(values_.of(h_.element(op.value, i)));
        kind.a = sets_.intern(normalized(elements));
      }
    } else {
      fail(ErrorCode::kBadInput, "linear-set: expected add x or read [elements], got " + std::string(h_.str(op.f)) +
                                     " " + h_.json(op.value).dump());
    }
    uint64_t key = (uint64_t(kind.add) << 32) | uint32_t(kind.a + 1);
    return kinds_.intern(key, kind);
  }

  int32_t step(int32_t state, int32_t id) override {
    const Kind& k = kinds_[id];
    if (!k.add) return k.a < 0 || k.a == state ? state : -1;
    if (int32_t known = memo_.find(state, id); known != StepMemo::kUnknown) return known;
    std::span<const int32_t> now = sets_.at(state);
    scratch_.assign(now.begin(), now.end());
    auto at = std::lower_bound(scratch_.begin(), scratch_.end(), k.a);
    if (at == scratch_.end() || *at != k.a) scratch_.insert(at, k.a);
    int32_t next = sets_.intern(scratch_);
    memo_.put(state, id, next);
    return next;
  }

  bool read_only(int32_t id) const override { return !kinds_[id].add; }

  std::string describe(int32_t state) const override {  // as the Json model's sorted array
    Json set = Json::array();
    for (int32_t e : sets_.at(state)) set.push_back(values_.json(e));
    std::sort(set.begin(), set.end());
    return set.dump();
  }

 private:
  struct Kind {
    bool add = false;
    int32_t a = -1;  // add: the element; read: the set read, -1 for a read of nil (any set)
  };
  static std::vector<int32_t>& normalized(std::vector<int32_t>& ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
  }

  const CompactHistory& h_;
  ValueIds values_;
  StringId add_, read_;
  SequenceIds sets_;  // states, and sets that reads returned
  KindTable<Kind> kinds_;
  StepMemo memo_;
  std::vector<int32_t> scratch_;
};

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

  std::unique_ptr<Steps> compact_steps(const CompactHistory& h, const Json& initial,
                                       std::span<const CompactModelOp>) const override {
    return std::make_unique<SetSteps>(h, initial);
  }

  void check_op(const ModelOp& op) const override {
    if (op.f == "add") return;
    if (op.f == "read" && (op.value.is_null() || op.value.is_array())) return;
    fail(ErrorCode::kBadInput, "linear-set: expected add x or read [elements], got " + op.f + " " + op.value.dump());
  }
};

}  // namespace

std::unique_ptr<Model> set_model() { return std::make_unique<SetModel>(); }

}  // namespace faultline::linear
