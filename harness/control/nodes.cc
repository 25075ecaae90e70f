#include "harness/control/nodes.h"

#include <fstream>
#include <sstream>

#include "harness/core/error.h"

namespace faultline {

namespace {

int parse_port(std::string_view text, std::string_view item, const std::string& where) {
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || port > 65535) port = -1;
    if (port < 0) break;
    port = port * 10 + (c - '0');
  }
  if (text.empty() || port <= 0 || port > 65535) {
    fail(ErrorCode::kBadInput, where + "bad port in node '" + std::string(item) +
                                   "': expected host or host:port with a port from 1 to 65535");
  }
  return port;
}

// host, host:port, [v6]:port, or a bare IPv6 address.
NodeSpec parse_address(std::string_view item, const NodeSpec& defaults, const std::string& where) {
  NodeSpec node = defaults;
  std::string_view host = item;
  if (item.starts_with('[')) {
    size_t close = item.find(']');
    if (close == std::string_view::npos) {
      fail(ErrorCode::kBadInput, where + "node '" + std::string(item) + "' has '[' without ']'");
    }
    host = item.substr(1, close - 1);
    std::string_view rest = item.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':')
        fail(ErrorCode::kBadInput, where + "unexpected text after ']' in node '" + std::string(item) + "'");
      node.port = parse_port(rest.substr(1), item, where);
    }
  } else if (size_t colon = item.find(':');
             colon != std::string_view::npos && item.find(':', colon + 1) == std::string_view::npos) {
    host = item.substr(0, colon);
    node.port = parse_port(item.substr(colon + 1), item, where);
  }
  if (host.empty()) fail(ErrorCode::kBadInput, where + "empty host in node '" + std::string(item) + "'");
  node.host = std::string(host);
  node.name = node.host;
  return node;
}

void set_option(NodeSpec& node, const std::string& key, const std::string& value, const std::string& where) {
  if (value.empty()) fail(ErrorCode::kBadInput, where + "node option '" + key + "' is empty");
  if (key == "name")
    node.name = value;
  else if (key == "user")
    node.user = value;
  else if (key == "key")
    node.key_path = value;
  else if (key == "password")
    node.password = value;
  else if (key == "known_hosts")
    node.known_hosts = value;
  else if (key == "host_key_policy")
    node.host_key_policy = parse_host_key_policy(value);
  else if (key == "port")
    node.port = parse_port(value, value, where);
  else
    fail(ErrorCode::kBadInput, where + "unknown node option '" + key +
                                   "': use name, port, user, key, password, known_hosts, host_key_policy");
}

void check_unique_names(const std::vector<NodeSpec>& nodes, const std::string& source) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (nodes[i].name == nodes[j].name) {
        fail(ErrorCode::kBadInput,
             source + ": node '" + nodes[i].name + "' appears twice; give each node a distinct name=");
      }
    }
  }
}

}  // namespace

HostKeyPolicy parse_host_key_policy(std::string_view name) {
  if (name == "strict") return HostKeyPolicy::kStrict;
  if (name == "accept-new") return HostKeyPolicy::kAcceptNew;
  if (name == "insecure") return HostKeyPolicy::kInsecure;
  fail(ErrorCode::kBadInput, "unknown host-key policy '" + std::string(name) + "': use strict, accept-new or insecure");
}

std::string to_string(HostKeyPolicy policy) {
  switch (policy) {
    case HostKeyPolicy::kStrict: return "strict";
    case HostKeyPolicy::kAcceptNew: return "accept-new";
    case HostKeyPolicy::kInsecure: return "insecure";
  }
  return "strict";
}

std::vector<NodeSpec> parse_node_list(std::string_view list, const NodeSpec& defaults) {
  std::vector<NodeSpec> nodes;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) fail(ErrorCode::kBadInput, "--nodes has an empty item: write --nodes a,b,c");
    nodes.push_back(parse_address(item, defaults, "--nodes: "));
    start = comma + 1;
  }
  check_unique_names(nodes, "--nodes");
  return nodes;
}

std::vector<NodeSpec> parse_nodes_text(std::string_view text, const NodeSpec& defaults, const std::string& source) {
  std::vector<NodeSpec> nodes;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string address;
    if (!(words >> address)) continue;
    std::string where = source + ":" + std::to_string(number) + ": ";
    NodeSpec node = parse_address(address, defaults, where);
    for (std::string option; words >> option;) {
      size_t equals = option.find('=');
      if (equals == std::string::npos) {
        fail(ErrorCode::kBadInput, where + "expected key=value after the address, got '" + option + "'");
      }
      set_option(node, option.substr(0, equals), option.substr(equals + 1), where);
    }
    nodes.push_back(std::move(node));
  }
  if (nodes.empty()) fail(ErrorCode::kBadInput, source + ": no nodes listed; write one host[:port] per line");
  check_unique_names(nodes, source);
  return nodes;
}

std::vector<NodeSpec> read_nodes_file(const std::filesystem::path& file, const NodeSpec& defaults) {
  std::ifstream in(file);
  if (!in) fail(ErrorCode::kNotFound, "cannot read nodes file " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return parse_nodes_text(text.str(), defaults, file.string());
}

std::vector<NodeSpec> nodes_from_json(const Json& nodes, const NodeSpec& defaults) {
  if (!nodes.is_array() || nodes.empty()) {
    fail(ErrorCode::kBadInput, "spec: \"nodes\" must be a non-empty array of \"host[:port]\" or objects");
  }
  std::vector<NodeSpec> result;
  for (const Json& item : nodes) {
    if (item.is_string()) {
      result.push_back(parse_address(item.get<std::string>(), defaults, "spec nodes: "));
      continue;
    }
    if (!item.is_object() || !item.contains("host") || !item["host"].is_string()) {
      fail(ErrorCode::kBadInput, "spec nodes: each node needs a \"host\" string, got " + item.dump());
    }
    NodeSpec node = parse_address(item["host"].get<std::string>(), defaults, "spec nodes: ");
    for (const auto& [key, value] : item.items()) {
      if (key == "host") continue;
      std::string text = value.is_string() ? value.get<std::string>() : value.dump();
      set_option(node, key, text, "spec nodes: ");
    }
    result.push_back(std::move(node));
  }
  check_unique_names(result, "spec nodes");
  return result;
}

std::string to_nodes_line(const NodeSpec& node) {
  std::string host = node.host.find(':') != std::string::npos ? "[" + node.host + "]" : node.host;
  std::string line = host + ":" + std::to_string(node.port) + " name=" + node.name + " user=" + node.user;
  if (!node.key_path.empty()) line += " key=" + node.key_path;
  if (!node.known_hosts.empty()) line += " known_hosts=" + node.known_hosts;
  return line + " host_key_policy=" + to_string(node.host_key_policy);
}

}  // namespace faultline
