#include "harness/control/nodes.h"

#include <gtest/gtest.h>

#include "harness/core/error.h"

namespace faultline {
namespace {

TEST(Nodes, ParsesListWithPortsAndIpv6) {
  NodeSpec defaults;
  defaults.user = "admin";
  auto nodes = parse_node_list("a, b:2222,[::1]:2200,fe80::1", defaults);
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_EQ(nodes[0].host, "a");
  EXPECT_EQ(nodes[0].port, 22);
  EXPECT_EQ(nodes[0].name, "a");
  EXPECT_EQ(nodes[0].user, "admin");
  EXPECT_EQ(nodes[1].port, 2222);
  EXPECT_EQ(nodes[2].host, "::1");
  EXPECT_EQ(nodes[2].port, 2200);
  EXPECT_EQ(nodes[3].host, "fe80::1");
  EXPECT_EQ(nodes[3].port, 22);
}

TEST(Nodes, RejectsBadListsWithOneClearLine) {
  NodeSpec defaults;
  for (const char* bad : {"a,,b", "a:0", "a:99999", "a:x", "[::1", "a,a", ""}) {
    try {
      parse_node_list(bad, defaults);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadInput) << bad;
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
}

TEST(Nodes, ParsesFileWithOptionsAndComments) {
  auto nodes = parse_nodes_text(
      "# sandbox\n\n10.0.0.11:22 name=n1 key=/k known_hosts=/kh host_key_policy=accept-new\n"
      "10.0.0.12 name=n2 user=bob  # second\n",
      NodeSpec{}, "nodes");
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].name, "n1");
  EXPECT_EQ(nodes[0].key_path, "/k");
  EXPECT_EQ(nodes[0].known_hosts, "/kh");
  EXPECT_EQ(nodes[0].host_key_policy, HostKeyPolicy::kAcceptNew);
  EXPECT_EQ(nodes[1].user, "bob");
  EXPECT_EQ(nodes[1].host, "10.0.0.12");
}

TEST(Nodes, FileErrorsNameTheLine) {
  try {
    parse_nodes_text("a\nb colour=red\n", NodeSpec{}, "nodes.txt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nodes.txt:2:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_nodes_text("# nothing\n", NodeSpec{}, "f"), Error);
  EXPECT_THROW(read_nodes_file("/nonexistent/nodes", NodeSpec{}), Error);
}

TEST(Nodes, LineRoundTrips) {
  NodeSpec node;
  node.name = "n1";
  node.host = "::1";
  node.port = 2222;
  node.key_path = "/k";
  node.host_key_policy = HostKeyPolicy::kInsecure;
  auto back = parse_nodes_text(to_nodes_line(node), NodeSpec{}, "line").at(0);
  EXPECT_EQ(back.name, "n1");
  EXPECT_EQ(back.host, "::1");
  EXPECT_EQ(back.port, 2222);
  EXPECT_EQ(back.key_path, "/k");
  EXPECT_EQ(back.host_key_policy, HostKeyPolicy::kInsecure);
}

TEST(Nodes, FromJson) {
  auto nodes = nodes_from_json(Json::parse(R"(["a:23", {"host": "b", "port": 2022, "name": "nb"}])"), NodeSpec{});
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].port, 23);
  EXPECT_EQ(nodes[1].name, "nb");
  EXPECT_EQ(nodes[1].port, 2022);
  EXPECT_THROW(nodes_from_json(Json::parse(R"([{"port": 1}])"), NodeSpec{}), Error);
  EXPECT_THROW(parse_host_key_policy("yes"), Error);
}

}  // namespace
}  // namespace faultline
