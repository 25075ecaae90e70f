// The kafka checker, for Maelstrom's kafka workload (a replicated log of messages per key).
// Ops (the kafka vocabulary):
//   {f send, value [key, msg]}             ok value [key, msg, offset]
//   {f poll, value {key: from}}            ok value {key: [[offset, msg], ...]}
//   {f commit_offsets, value {key: offset}}    ok with the same value
//   {f list_committed_offsets, value [key...]} ok value {key: offset}
// Invalid when:
//   lost          an acknowledged send no poll ever returned, though a poll of its key from at or
//                 below its offset began after the send was acknowledged (the final polls read
//                 every key from 0);
//   skipped       a poll that began after a send was acknowledged returned offsets on both sides
//                 of it, but not it;
//   nonmonotonic  a poll's offsets of one key not strictly increasing, or below the requested one;
//   backwards     a send acknowledged with an offset at or below one acknowledged to a send that
//                 completed before it began (same key);
//   inconsistent  two messages at the same key and offset;
//   unexpected    a polled message that was never sent on that key;
//   regressed     list_committed_offsets returned, for a key, less than an offset whose commit was
//                 acknowledged before it began (nodes keep the highest committed offset).
// Unknown when no poll succeeded. Details: counts and the first cases of each kind, as evidence.
#pragma once

#include <memory>

#include "checkers/checker.h"

namespace faultline {
std::unique_ptr<Checker> kafka_checker();
}
