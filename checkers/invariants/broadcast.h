// Checkers for Maelstrom's workloads whose vocabulary no other checker has (docs/maelstrom.md).
//
// echo: every ok {f echo} returned exactly the value it sent.
// broadcast: ops {f broadcast, value m} and {f read, value [m...]} with op.node set. Every
// acknowledged (ok) broadcast must be in the last ok read of every node that was read; a read of a
// message nobody broadcast is unexpected. Unknown when a node was never read. Details: per-node
// lost messages, unexpected, and stable latencies (ms from a broadcast's invocation until every
// node's reads include it from then on) as quantiles.
// eventual-counter (g-counter, pn-counter): the last ok read of every node must lie between the
// sum of ok adds and that sum plus every indeterminate add (negative ones pull it down).
#pragma once

#include <memory>

#include "checkers/checker.h"

namespace faultline {
std::unique_ptr<Checker> echo_checker();
std::unique_ptr<Checker> broadcast_checker();
std::unique_ptr<Checker> eventual_counter_checker();
}  // namespace faultline
