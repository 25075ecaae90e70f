// A Lamport-style diagram of the messages between nodes: one vertical line per node, time going
// down, an arrow from each send to its receipt, a red cross for each drop. Read from the relays'
// messages.jsonl files; bounded to the first `limit` node-to-node messages of the busiest window.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace faultline {

// The diagram as an HTML page with an inline SVG, from run_dir/nodes/<node>/messages.jsonl.
std::string message_diagram(const std::filesystem::path& run_dir, const std::vector<std::string>& nodes,
                            size_t limit = 300);

}  // namespace faultline
