// A sequential specification for the linearizability checker: a handful of pure functions over JSON
// states, in the style of Knossos and Porcupine. The search interns states and memoizes steps, so a
// model stays simple and never needs to be fast. Adding a model is one small file plus one line in
// make_model(), or an object passed to linear_checker(). A model may also offer a compact form that
// steps over integer ids read straight from the compact history (compact_steps, see steps.h), which
// the search then uses instead of Json states; every built-in model does.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <span>

#include "harness/core/compact_history.h"
#include "harness/core/json.h"

namespace faultline::linear {

// One operation as a model sees it.
struct ModelOp {
  std::string f;
  // For an ok op the completion's value (the invocation's when the completion has none), so a read
  // invoked with nil carries what it read. For an info op the invocation's value.
  Json value;
  // false for info ops: the outcome is unknown, only the effect (if it happened) is modelled.
  bool known = true;
};

// The same op in the compact history: its f, its value (the op's own value: the second element of a
// [key value] tuple when the history is split per key), and whether its outcome is known.
struct CompactModelOp {
  StringId f = kNoString;
  ValueId value = kNoValue;
  bool known = true;
};

class Steps;

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  // The state before any operation; `initial` is the user's "initial-value" option or null.
  virtual Json initial(const Json& initial) const = 0;
  // The state after op, or nullopt when op cannot happen in state.
  virtual std::optional<Json> step(const Json& state, const ModelOp& op) const = 0;
  // True when op leaves every state in which it is legal unchanged (a read). The search places such
  // ops as soon as they are legal and drops info ops of that kind.
  virtual bool read_only(const ModelOp& op) const = 0;
  // True when no op of `all` (every op of the part, ok and info) could observe the effect of the
  // info op `op`, so it can be dropped as if it never happened. The default, false, is always safe.
  virtual bool unobservable(const ModelOp& op, const std::vector<const ModelOp*>& all) const { return false; }
  // For models whose state only grows between resets (a kv key under appends): true when the
  // read-only op `read` is legal in no state that `state` leads to by ops that are not resets. The
  // search prunes a configuration in which such a read is pending and every reset that could come
  // before it is placed. The default, false, is always safe.
  virtual bool hopeless(const Json& state, const ModelOp& read) const { return false; }
  // Whether hopeless() can ever say true.
  virtual bool grows() const { return false; }
  // True when op sets the state whatever it was before (a put, a write); see hopeless().
  virtual bool resets(const ModelOp& op) const { return false; }
  // Throws Error(kBadInput) naming the op when f or the value's shape is not part of this model.
  virtual void check_op(const ModelOp& op) const = 0;
  // A short human form of a state for explanations.
  virtual std::string describe(const Json& state) const { return state.dump(); }
  // The same model over interned ids for one part of `history` with these ops, or null when this
  // model has no compact form for them; the search then steps over Json states. `initial` is
  // initial()'s state. A compact form must accept, refuse, check and describe exactly as step(),
  // check_op(), read_only(), unobservable(), hopeless(), resets() and describe() do.
  virtual std::unique_ptr<Steps> compact_steps(const CompactHistory& history, const Json& initial,
                                               std::span<const CompactModelOp> ops) const;
};

// "register", "cas-register", "mutex", "linear-set", "unordered-queue", "fifo-queue",
// "multi-register", "kv". Throws Error(kNotFound) listing the known names.
std::unique_ptr<Model> make_model(const std::string& name);
std::vector<std::string> model_names();

// The models, one file each.
std::unique_ptr<Model> register_model(bool with_cas);
std::unique_ptr<Model> mutex_model();
std::unique_ptr<Model> set_model();
std::unique_ptr<Model> queue_model(bool fifo);
std::unique_ptr<Model> multi_register_model();
std::unique_ptr<Model> kv_model();

}  // namespace faultline::linear
