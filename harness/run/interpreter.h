// The interpreter runs a generator against client workers and one nemesis worker, and records every
// invocation and completion as it happens.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/generator.h"
#include "harness/core/history_io.h"
#include "nemesis/nemesis.h"
#include "targets/target.h"

namespace faultline {

namespace detail {
struct Worker;
struct Gate;
}  // namespace detail

struct InterpreterOptions {
  int concurrency = 1;             // client workers
  std::vector<std::string> nodes;  // worker i talks to nodes[i % size]; may be empty
  std::function<std::unique_ptr<Client>()> make_client;
  Nemesis* nemesis = nullptr;         // null: nemesis ops complete as no-ops
  int64_t op_timeout = 10 * kSecond;  // a client op running longer completes as info
  uint64_t seed = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  HistoryWriter* history = nullptr;        // every event is appended here at once (may be null)
  std::function<void(const Op&)> observe;  // sees every event after it is recorded (may be empty)
  std::function<void(const std::string&)> log;
};

class Interpreter {
 public:
  explicit Interpreter(InterpreterOptions options);
  // Closes every client; workers stuck past their timeout are abandoned, not waited for.
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Runs `gen` until it is exhausted, or until `stop` becomes true; then waits for the ops in
  // flight (each at most until its timeout) and returns. Can be called again (final phase); the
  // history, processes and clients carry on.
  void run(const Gen& gen, const std::atomic<bool>* stop = nullptr);

 private:
  void start_worker(int thread);
  // Worker side: records a completion and, while the generator has an op due for this worker's
  // own thread, returns it so the worker runs it without a hand-off. Under mu_.
  std::optional<Op> complete_and_pump(detail::Worker* self, Op result);
  bool pump_one(int self_thread, std::optional<Op>& mine);
  void launch(Op op, int self_thread, std::optional<Op>& mine);
  void record(Op& op);
  void expire_timeouts();
  bool busy() const;
  int64_t next_timeout() const;
  const Context& context();
  int64_t now() const;

  InterpreterOptions options_;
  std::shared_ptr<detail::Gate> gate_;
  std::mutex mu_;                    // guards everything below
  std::condition_variable main_cv_;  // the run() thread waits here
  Rng rng_;
  Context ctx_;
  const Gen* gen_ = nullptr;                 // the running phase's generator
  std::optional<Op> held_;                   // an op waiting for its time or its thread
  const std::atomic<bool>* stop_ = nullptr;  // the running phase's stop flag
  bool stopping_ = false;
  std::vector<std::shared_ptr<detail::Worker>> workers_;  // index = thread; last = nemesis
  std::vector<int64_t> process_of_;                       // client thread -> process
  std::vector<int64_t> busy_since_;                       // thread -> invoke time, -1 when idle
  std::vector<Op> in_flight_;                             // thread -> its invocation
  int64_t next_index_ = 0;
};

}  // namespace faultline
