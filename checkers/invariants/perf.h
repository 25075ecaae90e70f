// The perf checker: performance data for the report, never a judgement: valid, or unknown when no
// client op completed.
// Option "bucket-ms" (default 1000) is the width of the time buckets.
// Details:
//   latency            {f: {type: {count, mean-ms, quantiles-ms {"0","0.5","0.95","0.99","1"}}}}
//                      per f and completion type (ok/fail/info), invocation to completion;
//   throughput         {f: {type: [completions per second in each bucket]}}, bucket i covering
//                      [i*bucket-ms, (i+1)*bucket-ms) of run time;
//   latency-over-time  {f: [{"t-ms": bucket start, "count", "0.5","0.95","0.99","1"}]} (ok only);
//   faults             fault windows from nemesis ops: {fault, start-f, stop-f, start-ns, end-ns,
//                      start-index, end-index, value (what the start did), healed}; a window that
//                      was never stopped ends at the last op and has healed false;
//   nemesis-ops        every nemesis operation {f, start-ns, end-ns, index, value};
//   unfinished-count   client invocations that never completed.
// Fault windows are read as checkers/faults.h says.
#pragma once

#include <memory>

#include "checkers/checker.h"

namespace faultline {
std::unique_ptr<Checker> perf_checker();
}
