// Nodes: who to connect to and how. Parsed from --nodes a,b,c, a nodes file, or a spec's JSON.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/json.h"

namespace faultline {

// How an SSH server's host key is checked against known_hosts.
enum class HostKeyPolicy {
  kStrict,     // the key must already be in known_hosts (the default)
  kAcceptNew,  // unknown hosts are trusted on first use and recorded; a changed key is refused
  kInsecure,   // any key is accepted; only when asked for by name
};

// "strict" | "accept-new" | "insecure"; anything else throws Error(kBadInput).
HostKeyPolicy parse_host_key_policy(std::string_view name);
std::string to_string(HostKeyPolicy policy);

struct NodeSpec {
  std::string name;  // the node's name in logs, histories and targets; defaults to host
  std::string host;  // address or DNS name to connect to
  int port = 22;
  std::string user = "root";
  std::string key_path;  // private key file (ed25519 or RSA); empty: ssh-agent, then password
  std::string password;  // SSH password auth, and sudo's password for ExecOptions::as_user
  HostKeyPolicy host_key_policy = HostKeyPolicy::kStrict;
  std::string known_hosts;  // empty: ~/.ssh/known_hosts
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(5);
  int max_channels = 8;  // commands running at once over one connection (sshd allows 10)
};

// Nodes from "a,b:2222,[::1]:22": host[:port] items over `defaults`. Throws Error(kBadInput).
std::vector<NodeSpec> parse_node_list(std::string_view list, const NodeSpec& defaults);

// Nodes from text with one node per line: `host[:port] [key=value ...]`, where keys are name,
// port, user, key, password, known_hosts, host_key_policy. Blank lines and # comments are skipped.
// `source` names the text in errors. Throws Error(kBadInput) naming the line.
std::vector<NodeSpec> parse_nodes_text(std::string_view text, const NodeSpec& defaults, const std::string& source);
// parse_nodes_text of a file; Error(kNotFound) when it cannot be read.
std::vector<NodeSpec> read_nodes_file(const std::filesystem::path& file, const NodeSpec& defaults);

// Nodes from a spec's JSON array of "host[:port]" strings or objects with the keys above plus
// "host" and "port". Throws Error(kBadInput).
std::vector<NodeSpec> nodes_from_json(const Json& nodes, const NodeSpec& defaults);
// One line of parse_nodes_text that reads back as `node` (the password is left out).
std::string to_nodes_line(const NodeSpec& node);

}  // namespace faultline
