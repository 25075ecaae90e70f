// The message flow between nodes, for report.html: a Lamport-style diagram (one vertical line per
// node, time going down, an arrow from each send to its receipt, a red cross for each drop) of a
// bounded window of messages. Drawn from the run's nodes/<node>/messages.jsonl files, which the
// maelstrom target's relays write: one JSON object per line, {"time": ns, "node", "event": send |
// recv | drop | ..., "msg": {"src", "dest", "body": {"type", "msg_id", "in_reply_to", ...}}}.
#pragma once

#include <filesystem>
#include <string>

namespace faultline {

// An HTML section with the diagram of at most `limit` node-to-node messages: the window with the
// most drops (so a partition shows), else the first. Empty when the run has no messages.jsonl.
std::string message_flow_section(const std::filesystem::path& run_dir, size_t limit = 300);

}  // namespace faultline
