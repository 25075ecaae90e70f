// queue: enqueues of unique integers (0, 1, 2, ...) and dequeues, half each; the final phase
// drains the queue. Checkers "queue" (every dequeue took an element that was in) and
// "total-queue" (what went in came out: lost, duplicated, unexpected elements).
//   allow-duplicates (default false): at-least-once delivery is acceptable.
#pragma once

#include "workloads/workload.h"

namespace faultline {
Workload queue_workload(const WorkloadEnv& env);
}
