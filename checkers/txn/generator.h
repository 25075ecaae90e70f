// Seeded generators of transactional histories for tests and benchmarks: valid ones from a
// simulated strict-serializable store, and small scenarios that exhibit one anomaly each.
#pragma once

#include <string>
#include <vector>

#include "checkers/txn/txns.h"
#include "harness/core/history.h"
#include "harness/core/random.h"

namespace faultline::txn {

struct HistoryShape {
  DataModel model = DataModel::kListAppend;
  size_t processes = 5;
  size_t txns = 100;
  size_t max_mops = 4;             // micro-ops per txn: uniform in [min_mops, max_mops]
  size_t active_keys = 8;          // keys in use at once
  size_t max_writes_per_key = 16;  // then the key retires and a fresh one takes its place
  size_t min_mops = 1;
  // Fraction of reads that miss the key's latest write, as a faulty store would; 0 keeps the
  // history strict serializable.
  double stale_read_rate = 0;
};

// A history from a store that runs each txn atomically at an instant while it is pending, so the
// history is strict serializable (unless shape.stale_read_rate > 0). Processes interleave at
// random; every txn commits.
History generate_valid(const HistoryShape& shape, Rng& rng);

// The anomaly names inject() can plant for a model (Elle's names, e.g. "G-single-item").
std::vector<std::string> injectable(DataModel model);

// Inserts, at a random point of `history`, a few sequential txns on fresh keys and processes that
// exhibit `anomaly`, then reindexes. Throws Error(kBadInput) for a name not in injectable().
void inject(History& history, DataModel model, const std::string& anomaly, Rng& rng);

}  // namespace faultline::txn
