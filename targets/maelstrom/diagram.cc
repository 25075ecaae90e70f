#include "targets/maelstrom/diagram.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "harness/core/json.h"

namespace faultline {

namespace {

struct Arrow {
  std::string from, to, label;
  int64_t sent = 0, received = -1;  // received -1: dropped or never arrived
  bool dropped = false;
};

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

// A message is known by who sent it and its ids, so a send pairs with its receipt.
std::string key_of(const Json& msg) {
  const Json& b = msg.value("body", Json::object());
  return msg.value("src", "") + ">" + msg.value("dest", "") + " " + b.value("type", "") + " " +
         b.value("msg_id", Json()).dump() + " " + b.value("in_reply_to", Json()).dump() + " " +
         std::to_string(std::hash<std::string>()(b.dump()));
}

}  // namespace

std::string message_diagram(const std::filesystem::path& run_dir, const std::vector<std::string>& nodes,
                            size_t limit) {
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < nodes.size(); ++i) column[nodes[i]] = i;
  std::vector<Arrow> arrows;
  std::multimap<std::string, size_t> unmatched;  // key -> arrow waiting for its receipt
  std::vector<std::pair<int64_t, Json>> events;
  for (const auto& node : nodes) {
    std::ifstream in(run_dir / "nodes" / node / "messages.jsonl");
    for (std::string line; std::getline(in, line);) {
      Json j = Json::parse(line, nullptr, false);
      if (j.is_object()) events.emplace_back(j.value("time", int64_t{0}), std::move(j));
    }
  }
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [t, e] : events) {
    const Json& msg = e["msg"];
    std::string src = msg.value("src", ""), dest = msg.value("dest", ""), event = e.value("event", "");
    if (!column.count(src) || !column.count(dest) || src == dest) continue;  // node-to-node only
    std::string key = key_of(msg);
    if ((event == "send" || event == "drop") && e.value("node", "") == src) {
      if (arrows.size() >= limit) continue;
      Arrow a{src, dest, msg["body"].value("type", ""), t, -1, event == "drop"};
      arrows.push_back(a);
      if (event == "send") unmatched.emplace(key, arrows.size() - 1);
    } else if (event == "recv" && e.value("node", "") == dest) {
      auto it = unmatched.find(key);
      if (it == unmatched.end()) continue;
      arrows[it->second].received = t;
      unmatched.erase(it);
    }
  }
  std::ostringstream out;
  out << "<!doctype html><meta charset=\"utf-8\"><title>messages</title>"
      << "<style>body{font:13px sans-serif}text{font-size:11px}</style>"
      << "<h1>Messages between nodes</h1><p>The first " << arrows.size()
      << " node-to-node messages; time goes down. Black: delivered; grey dashed: sent but never "
         "received; red cross: dropped by the relay (no connection).</p>";
  if (arrows.empty()) return out.str() + "<p>No messages between nodes were recorded.</p>";
  int64_t t0 = arrows.front().sent, t1 = t0;
  for (const auto& a : arrows) t1 = std::max({t1, a.sent, a.received});
  double span = std::max<double>(1, static_cast<double>(t1 - t0));
  double height = std::min(6000.0, std::max(400.0, 12.0 * static_cast<double>(arrows.size())));
  double width = 160.0 * static_cast<double>(nodes.size());
  auto x = [&](const std::string& n) { return 80.0 + 160.0 * static_cast<double>(column[n]); };
  auto y = [&](int64_t t) { return 40.0 + height * static_cast<double>(t - t0) / span; };
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height + 80 << "\">"
      << "<defs><marker id=\"h\" markerWidth=\"8\" markerHeight=\"6\" refX=\"8\" refY=\"3\" orient=\"auto\">"
      << "<path d=\"M0,0 L8,3 L0,6 z\"/></marker></defs>";
  for (const auto& n : nodes)
    out << "<text x=\"" << x(n) - 8 << "\" y=\"20\">" << escape(n) << "</text><line x1=\"" << x(n) << "\" y1=\"30\" x2=\""
        << x(n) << "\" y2=\"" << height + 60 << "\" stroke=\"#999\"/>";
  for (const auto& a : arrows) {
    double xs = x(a.from), ys = y(a.sent), xd = x(a.to);
    std::string title = "<title>" + escape(a.from + " → " + a.to + " " + a.label) + " at +" +
                        std::to_string((a.sent - t0) / 1000000) + " ms</title>";
    if (a.dropped) {
      double xm = xs + (xd - xs) * 0.15;
      out << "<g stroke=\"#c00\">" << title << "<line x1=\"" << xs << "\" y1=\"" << ys << "\" x2=\"" << xm << "\" y2=\"" << ys
          << "\"/><path d=\"M" << xm - 3 << "," << ys - 3 << " l6,6 m0,-6 l-6,6\"/></g>";
    } else if (a.received < 0) {
      out << "<line stroke=\"#aaa\" stroke-dasharray=\"3,3\" x1=\"" << xs << "\" y1=\"" << ys << "\" x2=\"" << xd
          << "\" y2=\"" << ys + 6 << "\">" << title << "</line>";
    } else {
      out << "<line stroke=\"#000\" marker-end=\"url(#h)\" x1=\"" << xs << "\" y1=\"" << ys << "\" x2=\"" << xd
          << "\" y2=\"" << y(a.received) << "\">" << title << "</line>";
    }
  }
  out << "</svg>";
  return out.str();
}

}  // namespace faultline
