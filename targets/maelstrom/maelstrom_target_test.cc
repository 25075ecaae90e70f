#include "targets/maelstrom/maelstrom_target.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/core/error.h"
#include "targets/maelstrom/diagram.h"

namespace faultline {
namespace {

TEST(MaelstromTopology, KindsLinkNeighboursBothWays) {
  std::vector<std::string> nodes = {"n1", "n2", "n3", "n4"};
  EXPECT_EQ(maelstrom_topology("total", nodes)["n1"], Json::array({"n2", "n3", "n4"}));
  Json line = maelstrom_topology("line", nodes);
  EXPECT_EQ(line["n1"], Json::array({"n2"}));
  EXPECT_EQ(line["n2"], Json::array({"n1", "n3"}));
  Json grid = maelstrom_topology("grid", nodes);  // 2 x 2
  EXPECT_EQ(grid["n1"], Json::array({"n2", "n3"}));
  EXPECT_EQ(grid["n4"], Json::array({"n2", "n3"}));
  Json tree = maelstrom_topology("tree", nodes);
  EXPECT_EQ(tree["n1"], Json::array({"n2", "n3"}));
  EXPECT_EQ(tree["n4"], Json::array({"n2"}));
  EXPECT_THROW(maelstrom_topology("star", nodes), Error);
}

TEST(MaelstromErrors, DefiniteCodesFailOthersAreIndeterminate) {
  EXPECT_EQ(maelstrom_error_type(11), OpType::kFail);  // temporarily unavailable
  EXPECT_EQ(maelstrom_error_type(20), OpType::kFail);  // key does not exist
  EXPECT_EQ(maelstrom_error_type(22), OpType::kFail);  // precondition failed
  EXPECT_EQ(maelstrom_error_type(0), OpType::kInfo);   // timeout
  EXPECT_EQ(maelstrom_error_type(13), OpType::kInfo);  // crash
  EXPECT_EQ(maelstrom_error_type(1000), OpType::kInfo);
}

TEST(MaelstromTarget, BadOptionsAreOneClearError) {
  EXPECT_THROW(maelstrom_target(Json::object()), Error);
  EXPECT_THROW(maelstrom_target({{"bin", "/bin/sh"}, {"relay", "/bin/true"}, {"colour", "red"}}), Error);
  EXPECT_THROW(maelstrom_target({{"bin", "/bin/sh"}, {"relay", "/bin/true"}, {"topology", "star"}}), Error);
  EXPECT_NO_THROW(maelstrom_target({{"bin", "/bin/sh"}, {"relay", "/bin/true"}, {"topology", "grid"}}));
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

TEST(MessageDiagram, PairsSendsWithReceiptsAndShowsDrops) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("maelstrom-diagram-" + std::to_string(getpid()));
  fs::create_directories(dir / "nodes" / "n1");
  fs::create_directories(dir / "nodes" / "n2");
  Json gossip = {{"src", "n1"}, {"dest", "n2"}, {"body", {{"type", "gossip"}, {"msg_id", 1}}}};
  Json lost = {{"src", "n1"}, {"dest", "n2"}, {"body", {{"type", "gossip"}, {"msg_id", 2}}}};
  std::ofstream(dir / "nodes" / "n1" / "messages.jsonl")
      << Json{{"time", 100}, {"node", "n1"}, {"event", "send"}, {"msg", gossip}}.dump() << "\n"
      << Json{{"time", 300}, {"node", "n1"}, {"event", "drop"}, {"msg", lost}}.dump() << "\n";
  std::ofstream(dir / "nodes" / "n2" / "messages.jsonl")
      << Json{{"time", 200}, {"node", "n2"}, {"event", "recv"}, {"msg", gossip}}.dump() << "\n";
  std::string html = message_diagram(dir, {"n1", "n2"});
  EXPECT_NE(html.find("The first 2 node-to-node messages"), std::string::npos) << html;
  EXPECT_NE(html.find("marker-end"), std::string::npos);  // the delivered arrow
  EXPECT_NE(html.find("#c00"), std::string::npos);        // the drop
  fs::remove_all(dir);
}

}  // namespace
}  // namespace faultline
