#include "harness/run/interpreter.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "harness/core/error.h"

namespace faultline {

namespace detail {

// Completions travel from workers to the interpreter through this queue. It is shared with the
// workers so an abandoned worker may still finish after the interpreter is gone.
struct Completions {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<int, Op>> queue;  // (thread, completion)

  void push(int thread, Op op) {
    {
      std::lock_guard lock(mu);
      queue.emplace_back(thread, std::move(op));
    }
    cv.notify_one();
  }
};

struct Worker {
  int thread = 0;
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Op> inbox;
  bool quit = false;
  std::atomic<bool> abandoned{false};
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
};

}  // namespace detail

namespace {

using detail::Completions;
using detail::Worker;

void close_quietly(std::unique_ptr<Client>& client) {
  if (!client) return;
  try {
    client->close();
  } catch (...) {
  }
  client.reset();
}

// A client worker: opens its client lazily, reopens it after an info completion (the old
// connection may be wedged), and never lets an exception escape.
void client_loop(Worker& w, const std::string& node,
                 const std::function<std::unique_ptr<Client>()>& make_client, Completions& out) {
  std::unique_ptr<Client> client;
  while (auto op = w.take()) {
    Op result;
    try {
      if (!client) {
        auto fresh = make_client();
        try {
          fresh->open(node);
        } catch (const std::exception& e) {
          // Nothing reached the system, so the op definitely did not happen.
          out.push(w.thread, complete_error(*op, OpType::kFail, std::string("no client: ") + e.what()));
          continue;
        }
        client = std::move(fresh);
      }
      result = client->invoke(*op);
      if (result.is_invoke()) result = complete_error(*op, OpType::kInfo, "client returned an invocation");
    } catch (const std::exception& e) {
      result = complete_error(*op, OpType::kInfo, e.what());
    }
    result.process = op->process;
    if (result.is_info()) close_quietly(client);
    if (w.abandoned) break;
    out.push(w.thread, std::move(result));
  }
  close_quietly(client);
}

void nemesis_loop(Worker& w, Nemesis* nemesis, Completions& out) {
  while (auto op = w.take()) {
    Op result;
    try {
      result = nemesis ? nemesis->invoke(*op) : complete(*op, OpType::kInfo, "no-op");
    } catch (const std::exception& e) {
      result = complete_error(*op, OpType::kInfo, e.what());
    }
    result.type = OpType::kInfo;  // nemesis ops always complete as info
    result.process = kNemesisProcess;
    out.push(w.thread, std::move(result));
  }
}

}  // namespace

Interpreter::Interpreter(InterpreterOptions options)
    : options_(std::move(options)),
      rng_(Rng(options_.seed).fork("generator")),
      completions_(std::make_shared<Completions>()) {
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
  for (auto& w : workers_) {
    {
      std::lock_guard lock(w->mu);
      w->quit = true;
    }
    w->cv.notify_one();
  }
  for (auto& w : workers_) {
    if (w->abandoned) {
      w->th.detach();
    } else if (w->th.joinable()) {
      w->th.join();
    }
  }
}

void Interpreter::start_worker(int thread) {
  auto w = std::make_shared<Worker>();
  w->thread = thread;
  auto out = completions_;
  if (thread == options_.concurrency) {
    w->th = std::thread([w, out, nemesis = options_.nemesis] { nemesis_loop(*w, nemesis, *out); });
  } else {
    std::string node = options_.nodes.empty()
                           ? std::string()
                           : options_.nodes[static_cast<size_t>(thread) % options_.nodes.size()];
    w->th = std::thread([w, out, node, make = options_.make_client] { client_loop(*w, node, make, *out); });
  }
  workers_[static_cast<size_t>(thread)] = std::move(w);
}

int64_t Interpreter::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              options_.start)
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

void Interpreter::record(Op& op, const Gen& gen) {
  op.index = next_index_++;
  if (options_.history) options_.history->append(op);
  if (options_.observe) options_.observe(op);
  gen->update(context(), op);
}

void Interpreter::dispatch(const Op& op) {
  int thread = op.is_nemesis() ? options_.concurrency : static_cast<int>(op.process % options_.concurrency);
  auto& w = workers_[static_cast<size_t>(thread)];
  busy_since_[static_cast<size_t>(thread)] = op.time;
  in_flight_[static_cast<size_t>(thread)] = op;
  {
    std::lock_guard lock(w->mu);
    w->inbox = op;
  }
  w->cv.notify_one();
}

// Waits until a completion arrives or `until` passes, then records every completion queued.
// Returns true when at least one completion was recorded.
bool Interpreter::wait_and_drain(const Gen& gen, int64_t until) {
  std::deque<std::pair<int, Op>> batch;
  {
    std::unique_lock lock(completions_->mu);
    if (completions_->queue.empty() && until > now()) {
      auto deadline = options_.start + std::chrono::nanoseconds(until);
      completions_->cv.wait_until(lock, deadline, [&] { return !completions_->queue.empty(); });
    }
    batch.swap(completions_->queue);
  }
  for (auto& [thread, op] : batch) {
    size_t t = static_cast<size_t>(thread);
    if (busy_since_[t] < 0 || op.process != in_flight_[t].process) continue;  // timed out earlier
    busy_since_[t] = -1;
    op.time = std::max(now(), in_flight_[t].time);
    op.f = in_flight_[t].f;
    if (op.node.empty()) op.node = in_flight_[t].node;
    record(op, gen);
    if (op.is_info() && op.is_client()) process_of_[t] += options_.concurrency;
  }
  return !batch.empty();
}

void Interpreter::expire_timeouts(const Gen& gen) {
  int64_t t_now = now();
  for (int t = 0; t < options_.concurrency; ++t) {
    size_t i = static_cast<size_t>(t);
    if (busy_since_[i] < 0 || t_now - busy_since_[i] < options_.op_timeout) continue;
    // The worker is stuck in its client: record info, abandon it, and start a fresh one.
    Op info = complete_error(in_flight_[i], OpType::kInfo, "timed out after " +
                                                               std::to_string(options_.op_timeout / 1000000) + " ms");
    info.time = t_now;
    busy_since_[i] = -1;
    record(info, gen);
    process_of_[i] += options_.concurrency;
    workers_[i]->abandoned = true;
    {
      std::lock_guard lock(workers_[i]->mu);
      workers_[i]->quit = true;
    }
    workers_[i]->cv.notify_one();
    workers_[i]->th.detach();
    start_worker(t);
    if (options_.log) options_.log("worker " + std::to_string(t) + " timed out; started a new client");
  }
}

void Interpreter::run(const Gen& gen, const std::atomic<bool>* stop) {
  constexpr int64_t kPoll = 10'000'000;  // re-ask pending generators at least every 10 ms
  std::optional<Op> held;                // an op waiting for its time
  auto busy = [&] {
    for (int64_t b : busy_since_)
      if (b >= 0) return true;
    return false;
  };
  auto next_timeout = [&] {
    int64_t soonest = INT64_MAX;
    for (int t = 0; t < options_.concurrency; ++t)
      if (busy_since_[static_cast<size_t>(t)] >= 0)
        soonest = std::min(soonest, busy_since_[static_cast<size_t>(t)] + options_.op_timeout);
    return soonest;
  };
  bool stopping = false;
  for (;;) {
    wait_and_drain(gen, 0);
    expire_timeouts(gen);
    if (!stopping && stop && stop->load()) stopping = true;
    if (stopping) {
      if (!busy()) return;
      wait_and_drain(gen, std::min(now() + kPoll, next_timeout()));
      continue;
    }
    if (!held) {
      Next n = gen->next(context());
      if (n.is_op()) {
        held = std::move(n.op);
      } else if (n.is_exhausted()) {
        if (!busy()) return;
        wait_and_drain(gen, std::min(now() + kPoll, next_timeout()));
        continue;
      } else {
        wait_and_drain(gen, std::min({n.wake, now() + kPoll, next_timeout()}));
        continue;
      }
    }
    if (held->time > now()) {
      wait_and_drain(gen, std::min(held->time, next_timeout()));
      continue;
    }
    Op op = std::move(*held);
    held.reset();
    int thread = context().thread_of(op.process);
    if (busy_since_[static_cast<size_t>(thread)] >= 0) {
      // The op's thread was replaced after a timeout: give it the thread's new process.
      held = std::move(op);
      wait_and_drain(gen, std::min(now() + kPoll, next_timeout()));
      continue;
    }
    if (op.is_client()) op.process = process_of_[static_cast<size_t>(thread)];
    if (op.is_client() && op.node.empty() && !options_.nodes.empty())
      op.node = options_.nodes[static_cast<size_t>(thread) % options_.nodes.size()];
    op.time = now();
    record(op, gen);
    dispatch(op);
  }
}

}  // namespace faultline
