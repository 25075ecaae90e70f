// Seeded histories of a simulated linearizable store, for property tests and the benchmark:
// concurrent clients, ops that take effect at one instant inside their interval, crashes (info ops
// that took effect or not, possibly much later) — and corrupted copies that are not linearizable.
#pragma once

#include <cstdint>

#include "harness/core/history.h"

namespace faultline::linear {

struct GenSpec {
  enum class Shape { kCasRegister, kKv };
  Shape shape = Shape::kCasRegister;
  uint64_t seed = 0;
  int processes = 5;
  int ops = 80;             // completed operations in total
  int values = 5;           // written values are 0 .. values-1; kv with 0: unique tokens (kv: strings)
  int keys = 1;             // > 1: values are [key value] tuples (Jepsen's independent form)
  double crash_rate = 0.1;  // share of ops that end as info
};

// A history that is linearizable for "cas-register" (initial value 0) or "kv" (initial nil).
History generate_history(const GenSpec& spec);

// A copy of history in which one ok read returns a value that was never written, so it is not
// linearizable. Returns the history unchanged when it has no ok read with a value.
History corrupt_history(const History& history, uint64_t seed);

// A copy of a single-register history in which one ok read in its second half returns the value of
// an earlier ok write that a later ok write had replaced before the read began: the stale read of a
// lagging replica. Usually not linearizable (a concurrent write of that value can still explain it).
History stale_read_history(const History& history, uint64_t seed);

}  // namespace faultline::linear
