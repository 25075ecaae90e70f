// The long-fork checker (Jepsen's tests/long-fork). Write transactions write one fresh key once:
// [["w", k, v]]; read transactions read a whole group of keys: [["r", k1, v1], ["r", k2, v2] ...].
// Since every key goes from null to its one value, the ok reads of a group must be totally ordered
// by which keys they see written. Two reads that each saw a write the other missed are a long fork,
// which snapshot isolation forbids. Option "group-size" (default 2, as in Jepsen) is how many keys
// each read must cover. Invalid on a fork; unknown when a key was written twice, a read covers the
// wrong number of keys, or two reads saw different values for one key.
// Details: reads-count, early-read-count, late-read-count, group-size, fork-count, forks (pairs of
// read ops with the key each saw and the other missed), first-fork.
#pragma once

#include <memory>

#include "checkers/checker.h"

namespace faultline {
std::unique_ptr<Checker> long_fork_checker();
}
