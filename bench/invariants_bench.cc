// Invariant checker benchmark: time to check generated healthy histories (seeded), one line per
// checker. set-full is the costly one (every read is compared with every element added so far).
#include <chrono>
#include <cstdio>
#include <functional>

#include "checkers/invariants/bank.h"
#include "checkers/invariants/counter.h"
#include "checkers/invariants/perf.h"
#include "checkers/invariants/set_full.h"
#include "harness/core/random.h"

using namespace faultline;

namespace {

// Appends an invocation and its ok completion of `process`, advancing `time` by a few ms.
void call(History& h, Rng& rng, int64_t& time, int64_t process, const std::string& f, Json in, Json out) {
  Op op;
  op.process = process;
  op.f = f;
  op.time = time += rng.between(1, 3000000);
  op.value = std::move(in);
  op.index = static_cast<int64_t>(h.size());
  h.push_back(op);
  op.type = OpType::kOk;
  op.time = time += rng.between(1, 3000000);
  op.value = std::move(out);
  op.index = static_cast<int64_t>(h.size());
  h.push_back(std::move(op));
}

// `elements` adds, with a read of the whole set after every `add_per_read` adds.
History set_full_history(int64_t elements, int64_t adds_per_read, Rng& rng) {
  History h;
  int64_t time = 0;
  Json set = Json::array();
  for (int64_t e = 0; e < elements; ++e) {
    call(h, rng, time, e % 8, "add", e, e);
    set.push_back(e);
    if (e % adds_per_read == 0) call(h, rng, time, 8, "read", nullptr, set);
  }
  return h;
}

History bank_history(int64_t ops, Rng& rng) {
  History h;
  int64_t time = 0;
  std::vector<int64_t> balance(8, 0);
  balance[0] = 100;
  for (int64_t i = 0; i < ops / 2; ++i) {
    if (rng.chance(0.5)) {
      Json read = Json::object();
      for (size_t a = 0; a < balance.size(); ++a) read[std::to_string(a)] = balance[a];
      call(h, rng, time, i % 10, "read", nullptr, read);
      continue;
    }
    auto from = static_cast<size_t>(rng.below(8)), to = static_cast<size_t>(rng.below(8));
    int64_t amount = std::min<int64_t>(balance[from], rng.between(1, 5));
    balance[from] -= amount;
    balance[to] += amount;
    Json t = {{"from", from}, {"to", to}, {"amount", amount}};
    call(h, rng, time, i % 10, "transfer", t, t);
  }
  return h;
}

History counter_history(int64_t ops, Rng& rng) {
  History h;
  int64_t time = 0, sum = 0;
  for (int64_t i = 0; i < ops / 2; ++i) {
    if (rng.chance(0.5)) {
      call(h, rng, time, i % 10, "read", nullptr, sum);
    } else {
      call(h, rng, time, i % 10, "add", 1, 1);
      ++sum;
    }
  }
  return h;
}

void measure(const char* label, const Checker& checker, const History& h) {
  auto start = std::chrono::steady_clock::now();
  CheckResult r = checker.check(h, CheckOptions{});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%-40s ops %9zu  check %7.3f s  %11.0f ops/s  %s\n", label, h.size(), secs, double(h.size()) / secs,
              std::string(to_string(r.verdict)).c_str());
}

}  // namespace

int main() {
  Rng rng(42);
  measure("set-full 10k elements, read every 10", *set_full_checker(), set_full_history(10000, 10, rng));
  measure("bank 1M ops, 8 accounts", *bank_checker(), bank_history(1000000, rng));
  History counter = counter_history(1000000, rng);
  measure("counter 1M ops", *counter_checker(), counter);
  measure("perf 1M ops", *perf_checker(), counter);
  return 0;
}
