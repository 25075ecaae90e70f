// Seeded randomness. Every random choice in faultline comes from an Rng derived from the run's seed,
// so a run (generator decisions, fault schedules, targets of faults) replays from its seed.
// The algorithms are fixed here (splitmix64 + xoshiro256**) rather than std:: distributions, whose
// results differ between standard libraries.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace faultline {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0);
  uint64_t next();
  // Uniform in [0, n); n > 0.
  uint64_t below(uint64_t n);
  // Uniform in [lo, hi].
  int64_t between(int64_t lo, int64_t hi);
  // Uniform in [0, 1).
  double unit();
  bool chance(double p) { return unit() < p; }
  // An independent stream for a named purpose, so adding draws in one part does not shift another.
  Rng fork(std::string_view purpose) const;
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }

 private:
  uint64_t s_[4];
  uint64_t seed_;
};

// A fresh seed from the system's entropy, for runs that do not give one.
uint64_t random_seed();

}  // namespace faultline
