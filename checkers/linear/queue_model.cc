// Queues, as in Knossos: enqueue x; dequeue returns x. The FIFO queue must return the oldest
// element; the unordered queue any element it holds. A dequeue with nil value is one whose result is
// unknown (an info dequeue): it removes the head (FIFO) or is not modelled (unordered).
#include <algorithm>

#include "checkers/linear/model.h"
#include "checkers/linear/steps.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

// The queues over ids: a state is the interned sequence of its elements' ids, in order (FIFO) or
// sorted by id (unordered: a multiset).
class QueueSteps : public Steps {
 public:
  QueueSteps(const CompactHistory& h, const Json& initial, bool fifo)
      : h_(h), values_(h), fifo_(fifo), enqueue_(h.find("enqueue")), dequeue_(h.find("dequeue")) {
    std::vector<int32_t> elements;
    for (const Json& e : initial) elements.push_back(values_.of(e));
    if (!fifo_) std::sort(elements.begin(), elements.end());
    queues_.intern(elements);
  }

  int32_t intern_op(const CompactModelOp& op) override {
    Kind kind;
    if (op.f != kNoString && op.f == enqueue_)
      kind = {true, values_.of(op.value)};
    else if (op.f != kNoString && op.f == dequeue_)
      kind = {false, h_.is_null(op.value) ? -1 : values_.of(op.value)};
    else
      fail(ErrorCode::kBadInput, std::string(fifo_ ? "fifo-queue" : "unordered-queue") + ": unknown op f \"" +
                                     std::string(h_.str(op.f)) + "\"; expected enqueue or dequeue");
    uint64_t key = (uint64_t(kind.enqueue) << 32) | uint32_t(kind.a + 1);
    return kinds_.intern(key, kind);
  }

  int32_t step(int32_t state, int32_t id) override {
    if (int32_t known = memo_.find(state, id); known != StepMemo::kUnknown) return known;
    int32_t next = compute(state, kinds_[id]);
    memo_.put(state, id, next);
    return next;
  }

  bool read_only(int32_t id) const override { return !fifo_ && !kinds_[id].enqueue && kinds_[id].a < 0; }

  std::string describe(int32_t state) const override {  // as the Json model's array
    Json queue = Json::array();
    for (int32_t e : queues_.at(state)) queue.push_back(values_.json(e));
    if (!fifo_) std::stable_sort(queue.begin(), queue.end());
    return queue.dump();
  }

 private:
  struct Kind {
    bool enqueue = false;
    int32_t a = -1;  // the element; -1 for a dequeue of nil
  };

  int32_t compute(int32_t state, const Kind& k) {
    std::span<const int32_t> now = queues_.at(state);
    scratch_.assign(now.begin(), now.end());
    if (k.enqueue) {
      scratch_.insert(fifo_ ? scratch_.end() : std::upper_bound(scratch_.begin(), scratch_.end(), k.a), k.a);
      return queues_.intern(scratch_);
    }
    if (scratch_.empty()) return -1;
    if (fifo_) {
      if (k.a >= 0 && k.a != scratch_.front()) return -1;
      scratch_.erase(scratch_.begin());
      return queues_.intern(scratch_);
    }
    if (k.a < 0) return state;
    auto it = std::lower_bound(scratch_.begin(), scratch_.end(), k.a);
    if (it == scratch_.end() || *it != k.a) return -1;
    scratch_.erase(it);
    return queues_.intern(scratch_);
  }

  const CompactHistory& h_;
  ValueIds values_;
  bool fifo_;
  StringId enqueue_, dequeue_;
  SequenceIds queues_;
  KindTable<Kind> kinds_;
  StepMemo memo_;
  std::vector<int32_t> scratch_;
};

class QueueModel : public Model {
 public:
  explicit QueueModel(bool fifo) : fifo_(fifo) {}

  std::string name() const override { return fifo_ ? "fifo-queue" : "unordered-queue"; }
  Json initial(const Json& initial) const override {
    Json elements = initial.is_array() ? initial : Json::array();
    if (!fifo_) std::sort(elements.begin(), elements.end());
    return elements;
  }

  std::optional<Json> step(const Json& state, const ModelOp& op) const override {
    Json next = state;
    if (op.f == "enqueue") {
      // The unordered queue is a multiset: kept sorted so equal contents are equal JSON.
      auto at = fifo_ ? next.end() : std::upper_bound(next.begin(), next.end(), op.value);
      next.insert(at, op.value);
      return next;
    }
    if (next.empty()) return std::nullopt;
    if (fifo_) {
      if (!op.value.is_null() && op.value != next.front()) return std::nullopt;
      next.erase(next.begin());
      return next;
    }
    if (op.value.is_null()) return state;
    auto it = std::lower_bound(next.begin(), next.end(), op.value);
    if (it == next.end() || *it != op.value) return std::nullopt;
    next.erase(it);
    return next;
  }

  // An unordered dequeue with unknown result is modelled as taking nothing: were it to take an
  // element, it would only constrain the other ops more than never happening does.
  bool read_only(const ModelOp& op) const override { return !fifo_ && op.f == "dequeue" && op.value.is_null(); }

  std::unique_ptr<Steps> compact_steps(const CompactHistory& h, const Json& initial,
                                       std::span<const CompactModelOp>) const override {
    return std::make_unique<QueueSteps>(h, initial, fifo_);
  }

  void check_op(const ModelOp& op) const override {
    if (op.f != "enqueue" && op.f != "dequeue")
      fail(ErrorCode::kBadInput, name() + ": unknown op f \"" + op.f + "\"; expected enqueue or dequeue");
  }

 private:
  bool fifo_;
};

}  // namespace

std::unique_ptr<Model> queue_model(bool fifo) { return std::make_unique<QueueModel>(fifo); }

}  // namespace faultline::linear
