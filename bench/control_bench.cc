// Control plane figures on a real sandbox (needs root): `sandbox up` and `down` for 5 nodes, the
// warm-session exec round trip on one node (p50/p99, with and without stdin), and one command on
// all 5 nodes at once. Uses its own sandbox (name flb, 10.77.103.0/24).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <tuple>
#include <vector>

#include "harness/control/fan_out.h"
#include "harness/control/remote.h"
#include "harness/sandbox/sandbox.h"

using namespace faultline;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Calls f `rounds` times and prints p50 and p99 of its duration.
template <class F>
void report(const char* what, int rounds, F f) {
  std::vector<double> times;
  for (int i = 0; i < rounds; ++i) {
    auto start = Clock::now();
    f();
    times.push_back(ms_since(start));
  }
  std::sort(times.begin(), times.end());
  std::printf("%-44s p50 %7.2f ms   p99 %7.2f ms   (%d rounds)\n", what, times[times.size() / 2],
              times[times.size() * 99 / 100], rounds);
}

}  // namespace

int main() {
  SandboxOptions options;
  options.name = "flb";
  options.subnet = "10.77.103.0/24";
  sandbox_down(options);  // leftovers of an interrupted run
  auto start = Clock::now();
  sandbox_up(options);
  std::printf("%-44s %7.0f ms\n", "sandbox up, 5 nodes", ms_since(start));
  {
    auto sessions = open_sessions(load_sandbox_nodes(default_sandbox_dir("flb")));
    std::ignore = sessions[0]->exec({"true"});  // warm: the runner channel exists
    report("exec `true` on one node (warm session)", 500, [&] { std::ignore = sessions[0]->exec({"true"}); });
    ExecOptions with_stdin;
    with_stdin.stdin_data = "x";
    report("exec `cat` with stdin (channel per command)", 100,
           [&] { std::ignore = sessions[0]->exec({"cat"}, with_stdin); });
    report("exec `true` on all 5 nodes in parallel", 200, [&] {
      values_or_throw(fan_out(sessions, [](std::unique_ptr<Session>& s) { std::ignore = s->exec({"true"}); }));
    });
  }
  start = Clock::now();
  sandbox_down(options);
  std::printf("%-44s %7.0f ms\n", "sandbox down, 5 nodes", ms_since(start));
}
