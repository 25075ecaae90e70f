#include "results/message_flow.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "harness/core/html.h"
#include "harness/core/json.h"

namespace faultline {

namespace {

namespace fs = std::filesystem;

struct Arrow {
  std::string from, to, label;
  int64_t sent = 0, received = -1;  // received -1: dropped or never arrived
  bool dropped = false;
};

// A message is known by who sent it and its ids, so a send pairs with its receipt.
std::string key_of(const Json& msg) {
  const Json& b = msg.value("body", Json::object());
  return msg.value("src", "") + ">" + msg.value("dest", "") + " " + b.value("type", "") + " " +
         b.value("msg_id", Json()).dump() + " " + b.value("in_reply_to", Json()).dump() + " " +
         std::to_string(std::hash<std::string>()(b.dump()));
}

// Nodes with a messages.jsonl, in natural order (n2 before n10).
std::vector<std::string> nodes_with_messages(const fs::path& run_dir) {
  std::vector<std::string> nodes;
  std::error_code ec;
  for (auto it = fs::directory_iterator(run_dir / "nodes", ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (fs::is_regular_file(it->path() / "messages.jsonl", ec)) nodes.push_back(it->path().filename().string());
  std::sort(nodes.begin(), nodes.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return nodes;
}

// Every node-to-node message, in send order, paired with its receipt.
std::vector<Arrow> arrows_of(const fs::path& run_dir, const std::vector<std::string>& nodes) {
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < nodes.size(); ++i) column[nodes[i]] = i;
  std::vector<std::pair<int64_t, Json>> events;
  for (const auto& node : nodes) {
    std::ifstream in(run_dir / "nodes" / node / "messages.jsonl");
    for (std::string line; std::getline(in, line);) {
      Json j = Json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("msg") && j["msg"].is_object())
        events.emplace_back(j.value("time", int64_t{0}), std::move(j));
    }
  }
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Arrow> arrows;
  std::multimap<std::string, size_t> unmatched;  // key -> arrow waiting for its receipt
  for (const auto& [t, e] : events) {
    const Json& msg = e["msg"];
    std::string src = msg.value("src", ""), dest = msg.value("dest", ""), event = e.value("event", "");
    if (!column.count(src) || !column.count(dest) || src == dest) continue;  // node-to-node only
    std::string key = key_of(msg);
    if ((event == "send" || event == "drop") && e.value("node", "") == src) {
      const Json& body = msg.value("body", Json::object());
      arrows.push_back({src, dest, body.is_object() ? body.value("type", "") : "", t, -1, event == "drop"});
      if (event == "send") unmatched.emplace(key, arrows.size() - 1);
    } else if (event == "recv" && e.value("node", "") == dest) {
      auto it = unmatched.find(key);
      if (it == unmatched.end()) continue;
      arrows[it->second].received = t;
      unmatched.erase(it);
    }
  }
  return arrows;
}

// The first of `limit` consecutive arrows holding the most drops.
size_t busiest_window(const std::vector<Arrow>& arrows, size_t limit) {
  size_t best = 0, best_drops = 0, drops = 0;
  for (size_t i = 0; i < arrows.size(); ++i) {
    drops += arrows[i].dropped;
    if (i >= limit) drops -= arrows[i - limit].dropped;
    size_t start = i + 1 >= limit ? i + 1 - limit : 0;
    if (drops > best_drops) best = start, best_drops = drops;
  }
  return best;
}

}  // namespace

std::string message_flow_section(const fs::path& run_dir, size_t limit) {
  std::vector<std::string> nodes = nodes_with_messages(run_dir);
  if (nodes.empty()) return "";
  std::vector<Arrow> all = arrows_of(run_dir, nodes);
  std::ostringstream out;
  out << "<section id=\"messages-section\"><h2>Messages between nodes</h2>";
  if (all.empty()) return out.str() + "<p class=\"note\">No messages between nodes were recorded.</p></section>\n";
  size_t first = busiest_window(all, limit), last = std::min(all.size(), first + limit);
  std::vector<Arrow> arrows(all.begin() + static_cast<std::ptrdiff_t>(first),
                            all.begin() + static_cast<std::ptrdiff_t>(last));
  int64_t t0 = arrows.front().sent, t1 = t0;
  for (const auto& a : arrows) t1 = std::max({t1, a.sent, a.received});
  int64_t origin = all.front().sent;
  out << "<p>Messages " << first + 1 << "–" << last << " of " << all.size() << " (from +" << (t0 - origin) / 1000000
      << " ms to +" << (t1 - origin) / 1000000 << " ms after the first"
      << (std::any_of(arrows.begin(), arrows.end(), [](const Arrow& a) { return a.dropped; })
              ? "; the window with the most drops"
              : "")
      << "); time goes down. Black arrow: delivered; grey dashed: sent, never received; red cross: dropped by the "
         "relay (no connection). Hover for the message type and time.</p>";
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < nodes.size(); ++i) column[nodes[i]] = i;
  double span = std::max<double>(1, static_cast<double>(t1 - t0));
  double height = std::min(6000.0, std::max(400.0, 12.0 * static_cast<double>(arrows.size())));
  double width = 160.0 * static_cast<double>(nodes.size());
  auto x = [&](const std::string& n) { return 80.0 + 160.0 * static_cast<double>(column[n]); };
  auto y = [&](int64_t t) { return 40.0 + height * static_cast<double>(t - t0) / span; };
  out << "<div style=\"max-height:640px;overflow:auto\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width
      << "\" height=\"" << height + 80 << "\" font-size=\"11\">"
      << "<defs><marker id=\"mf-head\" markerWidth=\"8\" markerHeight=\"6\" refX=\"8\" refY=\"3\" orient=\"auto\">"
      << "<path d=\"M0,0 L8,3 L0,6 z\"/></marker></defs>";
  for (const auto& n : nodes)
    out << "<text x=\"" << x(n) - 8 << "\" y=\"20\">" << html_escape(n) << "</text><line x1=\"" << x(n)
        << "\" y1=\"30\" x2=\"" << x(n) << "\" y2=\"" << height + 60 << "\" stroke=\"#999\"/>";
  for (const auto& a : arrows) {
    double xs = x(a.from), ys = y(a.sent), xd = x(a.to);
    std::string title = "<title>" + html_escape(a.from + " → " + a.to + " " + a.label) + " at +" +
                        std::to_string((a.sent - origin) / 1000000) + " ms</title>";
    if (a.dropped) {
      double xm = xs + (xd - xs) * 0.15;
      out << "<g stroke=\"#c00\">" << title << "<line x1=\"" << xs << "\" y1=\"" << ys << "\" x2=\"" << xm << "\" y2=\""
          << ys << "\"/><path d=\"M" << xm - 3 << "," << ys - 3 << " l6,6 m0,-6 l-6,6\"/></g>";
    } else if (a.received < 0) {
      out << "<line stroke=\"#aaa\" stroke-dasharray=\"3,3\" x1=\"" << xs << "\" y1=\"" << ys << "\" x2=\"" << xd
          << "\" y2=\"" << ys + 6 << "\">" << title << "</line>";
    } else {
      out << "<line stroke=\"#000\" marker-end=\"url(#mf-head)\" x1=\"" << xs << "\" y1=\"" << ys << "\" x2=\"" << xd
          << "\" y2=\"" << y(a.received) << "\">" << title << "</line>";
    }
  }
  out << "</svg></div></section>\n";
  return out.str();
}

}  // namespace faultline
