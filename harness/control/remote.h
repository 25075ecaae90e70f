// Remote: opens SSH Sessions to nodes (libssh2). A session keeps one connection per node, runs up
// to NodeSpec::max_channels commands on it at once, reconnects with backoff after transport
// failures, and re-runs a command only when it cannot have started or is marked idempotent.
#pragma once

#include <memory>
#include <vector>

#include "harness/control/nodes.h"
#include "harness/control/session.h"

namespace faultline {

// Connects, checks the host key and authenticates (key file, then ssh-agent, then password).
// Throws one clear Error naming the node and the cause: kUnavailable (refused, no route),
// kTimeout, kAuth (with the methods tried and offered), kHostKey (fingerprints seen/expected).
std::unique_ptr<Session> open_session(const NodeSpec& node);

// open_session on all nodes in parallel; throws one Error listing every node that failed.
std::vector<std::unique_ptr<Session>> open_sessions(const std::vector<NodeSpec>& nodes);

}  // namespace faultline
