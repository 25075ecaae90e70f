// The maelstrom target: runs an unchanged Maelstrom node binary (JSON messages on stdin/stdout) on
// every node under faultline-maelstrom-relay (relay.cc), which carries node-to-node messages over
// TCP on the node network, hosts the Maelstrom services on the first node, and logs every message
// to messages.jsonl. Clients on the controller speak Maelstrom's client messages to the relays.
// Kill, pause and resume act on the node binary; start restarts it and sends init again.
// See docs/maelstrom.md.
#pragma once

#include <memory>

#include "harness/core/json.h"
#include "targets/target.h"

namespace faultline {

// `options`: bin (required), args, port (7700), relay (path of the relay program), service-fault
// (stale-reads | lost-writes | repeat-ts, see services.h), init-timeout-s (10), topology (total | line | grid | tree,
// for broadcast). Throws Error(kBadInput).
std::unique_ptr<Target> maelstrom_target(const Json& options);

// The broadcast topology `kind` over `nodes`: node -> neighbours. Throws Error(kBadInput).
Json maelstrom_topology(const std::string& kind, const std::vector<std::string>& nodes);

// The body of the Maelstrom client message for `op` of workload vocabulary `vocabulary` (type and
// fields; the client adds msg_id). Throws Error(kBadInput) for an op with no Maelstrom message.
Json maelstrom_request(const std::string& vocabulary, const Op& op);
// The ok op's value from the reply body `body` to maelstrom_request(vocabulary, op).
Json maelstrom_result(const std::string& vocabulary, const Op& op, const Json& body);

// Maps a Maelstrom error code to an op outcome: definite codes (1, 10, 11, 12, 14, 20, 21, 22, 30)
// fail, everything else (0 timeout, 13 crash, custom codes) is indeterminate (info).
OpType maelstrom_error_type(int64_t code);

}  // namespace faultline
