// The etcd target: an etcd cluster of the run's nodes (Debian's etcd-server, /usr/bin/etcd), data
// and log under each node's storage, and a client over etcd's v3 HTTP/JSON gateway that speaks the
// register (read, write, cas), txn (list-append, rw-register), set (add, read) and bank (transfer,
// read) vocabularies. Crash/restart/pause through Daemon; primaries = the current leader.
//
// Reads are linearizable unless option "read-consistency" is "serializable" (then a node answers
// from its own state, which may be stale when it is cut off). Transactions read their keys in one
// etcd txn, then commit their writes in a second txn guarded by the keys' mod revisions, so a
// conflicting commit in between makes the op fail rather than break atomicity.
#pragma once

#include <memory>

#include "harness/core/json.h"
#include "targets/target.h"

namespace faultline {

// `options`: {"read-consistency": "linearizable"|"serializable", "heartbeat-ms": N, "election-ms": M}
// (Raft timing, etcd's defaults 100 and 1000; slow nodes need more, and M >= 5 N).
// Throws Error(kBadInput) for an unknown option or value.
std::unique_ptr<Target> etcd_target(const Json& options);

}  // namespace faultline
