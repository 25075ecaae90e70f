#include "harness/run/interpreter.h"

#include <algorithm>
#include <exception>
#include <shared_mutex>
#include <thread>

#include "harness/core/error.h"

namespace faultline {

namespace detail {

// One worker thread: a client worker or the nemesis. The interpreter hands it an op through its
// inbox; after each op the worker records the completion itself and, when the generator's next op
// is for its own thread, runs that one at once. So a busy worker is rarely put to sleep and woken,
// which is what limits a thread-per-worker interpreter.
struct Worker {
  int thread = 0;
  std::mutex mu;               // guards inbox and quit (not th: only the interpreter's thread touches it)
  std::condition_variable cv;  // signalled under mu when inbox or quit change
  std::optional<Op> inbox;     // guarded by mu
  bool quit = false;           // guarded by mu
  std::thread th;

  // Blocks for the next op; nullopt when told to quit.
  std::optional<Op> take() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return inbox.has_value() || quit; });
    if (quit && !inbox) return std::nullopt;
    Op op = std::move(*inbox);
    inbox.reset();
    return op;
  }

  // Whether the interpreter gave up on this worker (its op timed out) or is shutting it down.
  bool told_to_quit() {
    std::lock_guard lock(mu);
    return quit;
  }

  void give(Op op) {
    {
      std::lock_guard lock(mu);
      inbox = std::move(op);
    }
    cv.notify_one();
  }
};

// Workers stuck in a client past their timeout outlive the interpreter; they pass this gate,
// which the interpreter closes when it is destroyed, before they touch it again.
struct Gate {
  std::shared_mutex mu;  // workers hold it shared while they use the interpreter, its destructor exclusively
  bool open = true;      // guarded by mu
};

}  // namespace detail

namespace {

using detail::Worker;

void close_quietly(std::unique_ptr<Client>& client) {
  if (!client) return;
  try {
    client->close();
  } catch (...) {}
  client.reset();
}

// Performs a client op, opening the client first when needed; after an info completion the client
// is closed and reopened for the next op (the old connection may be wedged). Never throws.
Op perform_client_op(std::unique_ptr<Client>& client, const std::string& node,
                     const std::function<std::unique_ptr<Client>()>& make_client, const Op& op) {
  Op result;
  try {
    if (!client) {
      auto fresh = make_client();
      try {
        fresh->open(node);
      } catch (const std::exception& e) {
        // Nothing reached the system, so the op definitely did not happen.
        return complete_error(op, OpType::kFail, std::string("no client: ") + e.what());
      }
      client = std::move(fresh);
    }
    result = client->invoke(op);
    if (result.is_invoke()) result = complete_error(op, OpType::kInfo, "client returned an invocation");
  } catch (const std::exception& e) {
    result = complete_error(op, OpType::kInfo, e.what());
  }
  result.process = op.process;
  if (result.is_info()) close_quietly(client);
  return result;
}

Op perform_nemesis_op(Nemesis* nemesis, const Op& op) {
  Op result;
  try {
    result = nemesis ? nemesis->invoke(op) : complete(op, OpType::kInfo, "no-op");
  } catch (const std::exception& e) {
    result = complete_error(op, OpType::kInfo, e.what());
  }
  result.type = OpType::kInfo;  // nemesis ops always complete as info
  result.process = kNemesisProcess;
  return result;
}

}  // namespace

Interpreter::Interpreter(InterpreterOptions options)
    : options_(std::move(options)),
      gate_(std::make_shared<detail::Gate>()),
      rng_(Rng(options_.seed).fork("generator")) {
  if (options_.concurrency < 1) fail(ErrorCode::kBadInput, "concurrency must be at least 1");
  int threads = options_.concurrency + 1;
  process_of_.resize(static_cast<size_t>(options_.concurrency));
  for (int t = 0; t < options_.concurrency; ++t) process_of_[static_cast<size_t>(t)] = t;
  busy_since_.assign(static_cast<size_t>(threads), -1);
  in_flight_.resize(static_cast<size_t>(threads));
  workers_.resize(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) start_worker(t);
}

Interpreter::~Interpreter() {
  {
    std::unique_lock gate(gate_->mu);
    gate_->open = false;
  }
  std::vector<std::shared_ptr<Worker>> workers;
  {
    std::lock_guard lock(mu_);
    workers = workers_;
  }
  for (auto& w : workers) {
    {
      std::lock_guard lock(w->mu);
      w->quit = true;
    }
    w->cv.notify_one();
  }
  for (auto& w : workers) w->th.join();
}

void Interpreter::start_worker(int thread) {
  auto w = std::make_shared<Worker>();
  w->thread = thread;
  bool is_nemesis = thread == options_.concurrency;
  std::string node = options_.nodes.empty() || is_nemesis
                         ? std::string()
                         : options_.nodes[static_cast<size_t>(thread) % options_.nodes.size()];
  w->th = std::thread([this, w, gate = gate_, is_nemesis, node, nemesis = options_.nemesis,
                       make_client = options_.make_client] {
    std::unique_ptr<Client> client;
    while (auto op = w->take()) {
      // Runs ops back to back for as long as the generator has one due for this thread.
      while (op) {
        Op result = is_nemesis ? perform_nemesis_op(nemesis, *op) : perform_client_op(client, node, make_client, *op);
        std::shared_lock open(gate->mu);
        if (!gate->open || w->told_to_quit()) {
          close_quietly(client);
          return;
        }
        op = complete_and_pump(w.get(), std::move(result));
      }
    }
    close_quietly(client);
  });
  workers_[static_cast<size_t>(thread)] = std::move(w);
}

int64_t Interpreter::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - options_.start)
      .count();
}

// The context is kept and refreshed in place: it is asked for several times per op, and
// rebuilding it each time was a measurable share of the interpreter's time.
const Context& Interpreter::context() {
  if (ctx_.threads.empty()) {
    ctx_.clients = options_.concurrency;
    ctx_.process_of = &process_of_;
    ctx_.rng = &rng_;
    ctx_.log = options_.log;
    for (int t = 0; t <= options_.concurrency; ++t) ctx_.threads.push_back(t);
  }
  ctx_.time = now();
  ctx_.free.clear();
  for (int t : ctx_.threads)
    if (busy_since_[static_cast<size_t>(t)] < 0) ctx_.free.push_back(t);
  return ctx_;
}

bool Interpreter::busy() const {
  return std::any_of(busy_since_.begin(), busy_since_.end(), [](int64_t b) { return b >= 0; });
}

int64_t Interpreter::next_timeout() const {
  int64_t soonest = INT64_MAX;
  for (int t = 0; t < options_.concurrency; ++t)
    if (busy_since_[static_cast<size_t>(t)] >= 0)
      soonest = std::min(soonest, busy_since_[static_cast<size_t>(t)] + options_.op_timeout);
  return soonest;
}

void Interpreter::record(Op& op) {
  op.index = next_index_++;
  if (options_.history) options_.history->append(op);
  if (options_.observe) options_.observe(op);
  (*gen_)->update(context(), op);
}

// Records `op` as invoked and gives it to its thread's worker, or to `mine` when that thread is
// `self_thread` (the caller runs it itself).
void Interpreter::launch(Op op, int self_thread, std::optional<Op>& mine) {
  int thread = context().thread_of(op.process);
  size_t t = static_cast<size_t>(thread);
  if (op.is_client()) {
    op.process = process_of_[t];
    if (op.node.empty() && !options_.nodes.empty()) op.node = options_.nodes[t % options_.nodes.size()];
  }
  op.time = now();
  record(op);
  busy_since_[t] = op.time;
  in_flight_[t] = op;
  if (thread == self_thread)
    mine = std::move(op);
  else
    workers_[t]->give(std::move(op));
}

// Asks the generator for one op and launches it when it is due and its thread is free; otherwise
// keeps it in held_ for the run() thread. Returns whether an op was launched.
bool Interpreter::pump_one(int self_thread, std::optional<Op>& mine) {
  if (!held_) {
    Next n = (*gen_)->next(context());
    if (!n.is_op()) return false;
    held_ = std::move(n.op);
  }
  int thread = context().thread_of(held_->process);
  if (held_->time > now() || busy_since_[static_cast<size_t>(thread)] >= 0) return false;
  Op op = std::move(*held_);
  held_.reset();
  launch(std::move(op), self_thread, mine);
  return true;
}

std::optional<Op> Interpreter::complete_and_pump(Worker* self, Op result) {
  std::lock_guard lock(mu_);
  size_t t = static_cast<size_t>(self->thread);
  if (workers_[t].get() != self) return std::nullopt;  // timed out earlier; a new worker took over
  busy_since_[t] = -1;
  result.time = std::max(now(), in_flight_[t].time);
  result.f = in_flight_[t].f;
  if (result.node.empty()) result.node = in_flight_[t].node;
  record(result);
  if (result.is_info() && result.is_client()) process_of_[t] += options_.concurrency;

  if (stop_ && stop_->load()) stopping_ = true;
  std::optional<Op> mine;
  // Launch ops while they are due; stop once this worker has one of its own.
  while (!stopping_ && !mine && pump_one(self->thread, mine)) {}
  // The run() thread waits for what only it handles: ops not yet due, pending or exhausted
  // generators, the end of the phase.
  if (!mine) main_cv_.notify_one();
  return mine;
}

void Interpreter::expire_timeouts() {
  int64_t t_now = now();
  for (int t = 0; t < options_.concurrency; ++t) {
    size_t i = static_cast<size_t>(t);
    if (busy_since_[i] < 0 || t_now - busy_since_[i] < options_.op_timeout) continue;
    // The worker is stuck in its client: record info, abandon it, and start a fresh one.
    Op info = complete_error(in_flight_[i], OpType::kInfo,
                             "timed out after " + std::to_string(options_.op_timeout / 1000000) + " ms");
    info.time = t_now;
    busy_since_[i] = -1;
    record(info);
    process_of_[i] += options_.concurrency;
    std::shared_ptr<Worker> stuck = workers_[i];
    {
      std::lock_guard lock(stuck->mu);
      stuck->quit = true;
    }
    stuck->cv.notify_one();
    stuck->th.detach();  // it sees told_to_quit() when its client returns, and ends
    start_worker(t);
    if (options_.log) options_.log("worker " + std::to_string(t) + " timed out; started a new client");
  }
}

void Interpreter::run(const Gen& gen, const std::atomic<bool>* stop) {
  constexpr int64_t kPoll = 10'000'000;  // re-ask pending generators at least every 10 ms
  std::unique_lock lock(mu_);
  gen_ = &gen;
  stop_ = stop;
  stopping_ = false;
  held_.reset();
  auto wait_until = [&](int64_t until) {
    main_cv_.wait_until(lock, options_.start + std::chrono::nanoseconds(std::min(until, next_timeout())));
  };
  for (;;) {
    expire_timeouts();
    if (!stopping_ && stop && stop->load()) stopping_ = true;
    if (stopping_) {
      if (!busy()) break;
      wait_until(now() + kPoll);
      continue;
    }
    if (!held_) {
      Next n = gen->next(context());
      if (n.is_exhausted()) {
        if (!busy()) break;
        wait_until(now() + kPoll);
        continue;
      }
      if (n.is_pending()) {
        wait_until(std::min(n.wake, now() + kPoll));
        continue;
      }
      held_ = std::move(n.op);
    }
    std::optional<Op> none;
    if (pump_one(-1, none)) continue;
    // Not due yet: wait for its time. Its thread is busy: a worker launches it once the thread is
    // free; poll in case that worker timed out.
    bool due = held_ && held_->time <= now();
    wait_until(due ? now() + kPoll : std::min(held_->time, now() + kPoll));
  }
  held_.reset();
  gen_ = nullptr;
  stop_ = nullptr;
}

}  // namespace faultline
