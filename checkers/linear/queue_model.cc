// Queues, as in Knossos: enqueue x; dequeue returns x. The FIFO queue must return the oldest
// element; the unordered queue any element it holds. A dequeue with nil value is one whose result is
// unknown (an info dequeue): it removes the head (FIFO) or is not modelled (unordered).
#include <algorithm>

#include "checkers/linear/model.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

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
