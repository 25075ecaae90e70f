// Queue checkers. Ops: {f enqueue, value element}, {f dequeue, value element} (an ok dequeue with
// a null value found the queue empty) and {f drain, value [elements...]} (an ok drain dequeued all
// of those). Elements are compared as JSON values.
#pragma once

#include <memory>

#include "checkers/checker.h"

namespace faultline {

// Jepsen's checker/queue with an unordered queue: every ok dequeue must take an element that an
// enqueue (not failed) had put in and no earlier dequeue took out. Invalid otherwise.
// Details: enqueue-count, dequeue-count, remaining (elements left in), error-count, errors (each
// offending dequeue, kind never-enqueued or already-dequeued), first-error.
std::unique_ptr<Checker> queue_checker();

// Jepsen's checker/total-queue: what goes in must come out, for histories that drain the queue.
// Invalid when an ok enqueue was never dequeued (lost), a dequeue took an element never enqueued
// (unexpected), or an element came out more often than it went in (duplicated; option
// "allow-duplicates": true accepts that, as Jepsen does for at-least-once queues). Unknown instead
// of lost when a drain crashed (its elements are not known).
// Details: counts, lost (element + its enqueue ops), unexpected and duplicated (element + the
// dequeue ops), recovered (info enqueues that came out), crashed-drains.
std::unique_ptr<Checker> total_queue_checker();

}  // namespace faultline
