#include "targets/maelstrom/maelstrom_target.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "harness/core/error.h"

namespace faultline {
namespace {

TEST(MaelstromTopology, EveryKindConnectsAllNodes) {
  std::vector<std::string> nodes = {"n1", "n2", "n3", "n4", "n5", "n6", "n7"};
  for (const char* kind : {"total", "line", "grid", "tree"}) {
    Json t = maelstrom_topology(kind, nodes);
    std::set<std::string> reached = {"n1"};
    std::vector<std::string> todo = {"n1"};
    while (!todo.empty()) {
      std::string n = todo.back();
      todo.pop_back();
      for (const auto& peer : t[n]) {
        if (reached.insert(peer.get<std::string>()).second) todo.push_back(peer.get<std::string>());
        const Json& back = t[peer.get<std::string>()];
        EXPECT_TRUE(std::find(back.begin(), back.end(), n) != back.end()) << kind << ": links go both ways";
      }
    }
    EXPECT_EQ(reached.size(), nodes.size()) << kind;
  }
  EXPECT_EQ(maelstrom_topology("line", nodes)["n7"], Json::array({"n6"}));
  EXPECT_EQ(maelstrom_topology("total", nodes)["n4"].size(), 6u);
}

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

TEST(MaelstromErrors, EveryDefiniteCodeFailsAsMaelstromDefinesThem) {
  // node-not-found, not-supported, temporarily-unavailable, malformed-request, abort,
  // key-does-not-exist, key-already-exists, precondition-failed, txn-conflict
  for (int64_t code : {1, 10, 11, 12, 14, 20, 21, 22, 30}) EXPECT_EQ(maelstrom_error_type(code), OpType::kFail) << code;
  for (int64_t code : {0, 13, 2, 15, 23, 31, 100, -1}) EXPECT_EQ(maelstrom_error_type(code), OpType::kInfo) << code;
}

Op op_of(const std::string& f, Json value) {
  Op op;
  op.f = f;
  op.value = std::move(value);
  return op;
}

TEST(MaelstromMessages, TxnMicroOpsAreMaelstromsFormat) {
  // Maelstrom's txn: [["r", k, null], ["append", k, v]] and ["w", k, v], results in place.
  Json txn = Json::parse(R"([["r", 1, null], ["append", 1, 3], ["w", 2, 4]])");
  Json body = maelstrom_request("list-append", op_of("txn", txn));
  EXPECT_EQ(body, Json({{"type", "txn"}, {"txn", txn}}));
  Json done = Json::parse(R"([["r", 1, [1, 2]], ["append", 1, 3], ["w", 2, 4]])");
  EXPECT_EQ(maelstrom_result("list-append", op_of("txn", txn), {{"type", "txn_ok"}, {"txn", done}}), done);
}

TEST(MaelstromMessages, EachWorkloadsFieldsAreMaelstroms) {
  EXPECT_EQ(maelstrom_request("g-set", op_of("add", 5)), Json({{"type", "add"}, {"element", 5}}));
  EXPECT_EQ(maelstrom_request("g-counter", op_of("add", 5)), Json({{"type", "add"}, {"delta", 5}}));
  EXPECT_EQ(maelstrom_request("pn-counter", op_of("add", -2)), Json({{"type", "add"}, {"delta", -2}}));
  EXPECT_EQ(maelstrom_result("g-set", op_of("read", nullptr), {{"type", "read_ok"}, {"value", {1, 2}}}), Json({1, 2}));
  EXPECT_EQ(maelstrom_result("pn-counter", op_of("read", nullptr), {{"type", "read_ok"}, {"value", 7}}), 7);
  EXPECT_EQ(maelstrom_request("broadcast", op_of("broadcast", 3)), Json({{"type", "broadcast"}, {"message", 3}}));
  EXPECT_EQ(maelstrom_result("broadcast", op_of("read", nullptr), {{"type", "read_ok"}, {"messages", {3}}}), Json({3}));
  EXPECT_EQ(maelstrom_request("cas-register", op_of("cas", {"k", {1, 2}})),
            Json({{"type", "cas"}, {"key", "k"}, {"from", 1}, {"to", 2}}));
  EXPECT_EQ(maelstrom_result("cas-register", op_of("read", {"k", nullptr}), {{"type", "read_ok"}, {"value", 4}}),
            Json({"k", 4}));
  EXPECT_THROW(maelstrom_request("echo", op_of("dequeue", nullptr)), Error);
}

TEST(MaelstromMessages, KafkaMessages) {
  EXPECT_EQ(maelstrom_request("kafka", op_of("send", {"k1", 9})), Json({{"type", "send"}, {"key", "k1"}, {"msg", 9}}));
  EXPECT_EQ(maelstrom_result("kafka", op_of("send", {"k1", 9}), {{"type", "send_ok"}, {"offset", 1000}}),
            Json({"k1", 9, 1000}));
  Json offsets = {{"k1", 1000}};
  EXPECT_EQ(maelstrom_request("kafka", op_of("poll", offsets)), Json({{"type", "poll"}, {"offsets", offsets}}));
  Json msgs = {{"k1", {{1000, 9}, {1001, 5}}}};
  EXPECT_EQ(maelstrom_result("kafka", op_of("poll", offsets), {{"type", "poll_ok"}, {"msgs", msgs}}), msgs);
  EXPECT_EQ(maelstrom_request("kafka", op_of("commit_offsets", offsets)),
            Json({{"type", "commit_offsets"}, {"offsets", offsets}}));
  EXPECT_EQ(maelstrom_request("kafka", op_of("list_committed_offsets", {"k1"})),
            Json({{"type", "list_committed_offsets"}, {"keys", {"k1"}}}));
  EXPECT_EQ(maelstrom_result("kafka", op_of("list_committed_offsets", {"k1"}),
                             {{"type", "list_committed_offsets_ok"}, {"offsets", offsets}}),
            offsets);
}

TEST(MaelstromTarget, BadOptionsAreOneClearError) {
  EXPECT_THROW(maelstrom_target(Json::object()), Error);
  EXPECT_THROW(maelstrom_target({{"bin", "/bin/sh"}, {"relay", "/bin/true"}, {"colour", "red"}}), Error);
  EXPECT_THROW(maelstrom_target({{"bin", "/bin/sh"}, {"relay", "/bin/true"}, {"topology", "star"}}), Error);
  EXPECT_NO_THROW(maelstrom_target({{"bin", "/bin/sh"}, {"relay", "/bin/true"}, {"topology", "grid"}}));
  EXPECT_THROW(maelstrom_target({{"bin", "/bin/sh"}, {"relay", "/bin/true"}, {"service-fault", "slow"}}), Error);
  EXPECT_THROW(maelstrom_target({{"bin", "/bin/sh"}, {"relay", "/bin/true"}, {"init-timeout-s", 0}}), Error);
  for (const char* fault : {"stale-reads", "lost-writes", "repeat-ts"})
    EXPECT_NO_THROW(maelstrom_target({{"bin", "/bin/sh"}, {"relay", "/bin/true"}, {"service-fault", fault}}));
  try {
    maelstrom_target({{"bin", "/no/such/node"}, {"relay", "/bin/true"}});
    ADD_FAILURE() << "a missing node program was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 254);  // bad input, not a system that failed to start
  }
}

}  // namespace
}  // namespace faultline
