// Generators decide which operation comes next and when (Jepsen's generator model, in C++).
//
// A generator is asked next(context) by the interpreter, which owns it and calls it from one thread.
// It answers with an op to invoke (process and earliest time filled in), "pending" (nothing now,
// ask again after the next event or at `wake`), or "exhausted" (it will never produce more ops).
// update(context, event) shows it every invocation and completion, including of ops other
// generators made. Generators are deterministic for a given seed (context.rng) and event order.
//
// Threads: 0..clients-1 are client workers, thread `clients` is the nemesis. Process ids map to
// threads as process % clients (a worker gets process + clients after an info); the nemesis
// process is kNemesisProcess.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/op.h"
#include "harness/core/random.h"

namespace faultline {

struct Context {
  int64_t time = 0;                                  // nanoseconds since the run started
  int clients = 0;                                   // number of client threads
  std::vector<int> threads;                          // threads this generator may use, ascending
  std::vector<int> free;                             // the idle ones among them, ascending
  const std::vector<int64_t>* process_of = nullptr;  // thread -> current process
  Rng* rng = nullptr;
  std::function<void(const std::string&)> log;

  int nemesis_thread() const { return clients; }
  int64_t process(int thread) const;
  int thread_of(int64_t process) const;
  bool all_free() const { return free.size() == threads.size(); }
  // A copy limited to the threads that satisfy `keep`.
  Context only(const std::function<bool(int)>& keep) const;
};

struct Next {
  enum class Kind { kOp, kPending, kExhausted };
  Kind kind = Kind::kExhausted;
  Op op;                     // for kOp: type invoke, process and time set
  int64_t wake = INT64_MAX;  // for kPending: ask again no later than this time

  static Next of(Op op) { return {Kind::kOp, std::move(op), INT64_MAX}; }
  static Next pending(int64_t wake = INT64_MAX) { return {Kind::kPending, {}, wake}; }
  static Next exhausted() { return {}; }
  bool is_op() const { return kind == Kind::kOp; }
  bool is_pending() const { return kind == Kind::kPending; }
  bool is_exhausted() const { return kind == Kind::kExhausted; }
};

// Contract: an op returned by next() will be invoked (at op.time or later), so a generator may
// advance its state when it returns one.
class Generator {
 public:
  virtual ~Generator() = default;
  virtual Next next(const Context& ctx) = 0;
  virtual void update(const Context& ctx, const Op& event) {}
};

using Gen = std::shared_ptr<Generator>;
using GenFactory = std::function<Gen()>;

constexpr int64_t kSecond = 1'000'000'000;
int64_t seconds(double s);

// --- Leaves -------------------------------------------------------------------------------
// Emits `op` once (f and value from the template; process and time filled in).
Gen once_op(Op op);
Gen once_op(std::string f, Json value = nullptr);
// Calls `make` for each op until it returns nullopt; the op it returns is a template.
Gen fn(std::function<std::optional<Op>(const Context&)> make);
// Never emits; exhausted at once.
Gen nothing();
// Emits no op; pending for `dt` after it is first asked, then exhausted.
Gen sleep_for(int64_t dt);
// Calls `log` with `message` once, then is exhausted.
Gen log_message(std::string message);

// --- Combinators --------------------------------------------------------------------------
// Each op comes from a randomly chosen generator among those not exhausted.
Gen mix(std::vector<Gen> gens);
// At most n ops.
Gen limit(int64_t n, Gen gen);
// The first op of `gen`, emitted n times (n < 0: forever).
Gen repeat(int64_t n, Gen gen);
// Runs a fresh generator from `make` each time the previous one is exhausted (times < 0: forever).
Gen cycle(GenFactory make, int64_t times = -1);
// Stops emitting dt after it is first asked.
Gen time_limit(int64_t dt, Gen gen);
// Spaces ops at random intervals, uniform in [0, 2*dt] (mean dt), across all threads.
Gen stagger(int64_t dt, Gen gen);
// Spaces ops exactly dt apart.
Gen delay(int64_t dt, Gen gen);
// `a` until exhausted, then `b` (no waiting in between).
Gen then(Gen a, Gen b);
// Pending until every thread is idle, then behaves as `gen`.
Gen synchronize(Gen gen);
// Each generator in turn; a phase starts only when the previous one is exhausted and every
// thread is idle.
Gen phases(std::vector<Gen> gens);
// Each thread (in the routed set) gets its own generator from `make`.
Gen each_thread(GenFactory make);
// The first `counts[i]` client threads run gens[i] (in order), the remaining clients run `rest`.
Gen reserve(std::vector<std::pair<int, Gen>> ranges, Gen rest);
// Only client threads / only the nemesis thread.
Gen clients(Gen gen);
Gen nemesis(Gen gen);
// Offers every generator the context and takes the soonest op; exhausted when all are.
Gen any(std::vector<Gen> gens);
// Passes ops through until one of them completes ok, then is exhausted.
Gen until_ok(Gen gen);
// Alternates between a and b, one op each; exhausted when the next one to ask is.
Gen flip_flop(Gen a, Gen b);
// Only ops that satisfy `keep`.
Gen filter(std::function<bool(const Op&)> keep, Gen gen);
// Ops transformed by `f` (it must keep process and time).
Gen map(std::function<Op(Op)> f, Gen gen);

}  // namespace faultline
