#include "results/message_flow.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "harness/core/json.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

Json event(int64_t time, const std::string& node, const std::string& what, const Json& msg) {
  return {{"time", time}, {"node", node}, {"event", what}, {"msg", msg}};
}

Json gossip(const std::string& from, const std::string& to, int64_t id) {
  return {{"src", from}, {"dest", to}, {"body", {{"type", "gossip"}, {"msg_id", id}}}};
}

struct RunDir {
  fs::path dir = fs::temp_directory_path() / ("message-flow-" + std::to_string(getpid()));
  RunDir() {
    fs::remove_all(dir);
    fs::create_directories(dir / "nodes" / "n1");
    fs::create_directories(dir / "nodes" / "n2");
  }
  ~RunDir() { fs::remove_all(dir); }
  void write(const std::string& node, const std::vector<Json>& events) {
    std::ofstream out(dir / "nodes" / node / "messages.jsonl");
    for (const Json& e : events) out << e.dump() << "\n";
  }
};

TEST(MessageFlow, PairsSendsWithReceiptsAndShowsDrops) {
  RunDir run;
  run.write("n1", {event(100, "n1", "send", gossip("n1", "n2", 1)), event(300, "n1", "drop", gossip("n1", "n2", 2))});
  run.write("n2", {event(200, "n2", "recv", gossip("n1", "n2", 1))});
  std::string html = message_flow_section(run.dir);
  EXPECT_NE(html.find("id=\"messages-section\""), std::string::npos) << html;
  EXPECT_NE(html.find("Messages 1–2 of 2"), std::string::npos) << html;
  EXPECT_NE(html.find("marker-end"), std::string::npos);  // the delivered arrow
  EXPECT_NE(html.find("#c00"), std::string::npos);        // the drop
  EXPECT_NE(html.find("the window with the most drops"), std::string::npos);
}

TEST(MessageFlow, BoundedWindowIsTheOneWithTheDrops) {
  RunDir run;
  std::vector<Json> n1, n2;
  for (int i = 0; i < 50; ++i) {
    bool cut = i >= 30 && i < 35;
    n1.push_back(event(1000 * i, "n1", cut ? "drop" : "send", gossip("n1", "n2", i)));
    if (!cut) n2.push_back(event(1000 * i + 500, "n2", "recv", gossip("n1", "n2", i)));
  }
  run.write("n1", n1);
  run.write("n2", n2);
  std::string html = message_flow_section(run.dir, 10);
  EXPECT_NE(html.find("Messages 26–35 of 50"), std::string::npos) << html.substr(0, 400);
  EXPECT_NE(html.find("the window with the most drops"), std::string::npos);
  size_t drawn = 0;
  for (size_t at = 0; (at = html.find("<title>", at)) != std::string::npos; ++at) ++drawn;
  EXPECT_EQ(drawn, 10u);
}

TEST(MessageFlow, NoMessageFilesNoSection) {
  RunDir run;
  EXPECT_EQ(message_flow_section(run.dir), "");
  run.write("n1", {event(100, "n1", "send", gossip("n1", "n2", 1))});
  run.write("n2", {event(200, "n2", "recv", gossip("n1", "n2", 1))});
  EXPECT_EQ(message_flow_section(run.dir).find("most drops"), std::string::npos);  // nothing dropped
  run.write("n1", {});
  run.write("n2", {});
  EXPECT_NE(message_flow_section(run.dir).find("No messages between nodes"), std::string::npos);
}

}  // namespace
}  // namespace faultline
