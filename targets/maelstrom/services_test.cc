// The Maelstrom services' logic, and that each documented misbehaviour is caught by the checker a
// node's clients would face: histories are built by calling the services directly (one client,
// one op at a time) and judged by faultline's checkers.
#include "targets/maelstrom/services.h"

#include <gtest/gtest.h>

#include "checkers/registry.h"
#include "harness/core/history.h"

namespace faultline::maelstrom {
namespace {

Json request(const std::string& service, Json body) {
  static int64_t msg_id = 0;
  body["msg_id"] = ++msg_id;
  return {{"src", "n1"}, {"dest", service}, {"body", std::move(body)}};
}

Json call(Services& s, const std::string& service, Json body) {
  return s.serve(request(service, std::move(body)))["body"];
}

TEST(MaelstromServices, KeyValueServicesReadWriteAndCasWithMaelstromsErrors) {
  for (const std::string service : {"lin-kv", "seq-kv", "lww-kv"}) {
    Services s;
    Json missing = call(s, service, {{"type", "read"}, {"key", "a"}});
    EXPECT_EQ(missing["type"], "error");
    EXPECT_EQ(missing["code"], 20) << service;
    EXPECT_EQ(call(s, service, {{"type", "write"}, {"key", "a"}, {"value", 1}})["type"], "write_ok");
    EXPECT_EQ(call(s, service, {{"type", "read"}, {"key", "a"}})["value"], 1);
    EXPECT_EQ(call(s, service, {{"type", "cas"}, {"key", "a"}, {"from", 5}, {"to", 6}})["code"], 22);
    EXPECT_EQ(call(s, service, {{"type", "cas"}, {"key", "a"}, {"from", 1}, {"to", 2}})["type"], "cas_ok");
    EXPECT_EQ(call(s, service, {{"type", "cas"}, {"key", "b"}, {"from", 0}, {"to", 1}})["code"], 20);
    EXPECT_EQ(call(s, service,
                   {{"type", "cas"}, {"key", "b"}, {"from", 0}, {"to", 1}, {"create_if_not_exists", true}})["type"],
              "cas_ok");
    EXPECT_EQ(call(s, service, {{"type", "read"}, {"key", "a"}})["value"], 2);
    EXPECT_EQ(call(s, service, {{"type", "ts"}})["code"], 10);
  }
}

TEST(MaelstromServices, ServicesKeepSeparateStoresAndRepliesAnswerTheRequest) {
  Services s;
  Json reply = s.serve(request("lin-kv", {{"type", "write"}, {"key", 1}, {"value", "x"}}));
  EXPECT_EQ(reply["src"], "lin-kv");
  EXPECT_EQ(reply["dest"], "n1");
  EXPECT_TRUE(reply["body"]["in_reply_to"].is_number_integer());
  EXPECT_EQ(call(s, "seq-kv", {{"type", "read"}, {"key", 1}})["code"], 20);
}

TEST(MaelstromServices, LinTsoIsStrictlyIncreasing) {
  Services s;
  int64_t last = 0;
  for (int i = 0; i < 100; ++i) {
    int64_t ts = call(s, "lin-tso", {{"type", "ts"}})["ts"].get<int64_t>();
    EXPECT_GT(ts, last);
    last = ts;
  }
}

// A sequential history of one client against one key of `service`: writes of 1..n, each followed
// by a read, in the cas-register vocabulary ([key, value]).
History register_history(Services& s, const std::string& service, int n) {
  History h;
  auto add = [&](OpType type, const std::string& f, Json value) {
    Op op;
    op.index = static_cast<int64_t>(h.size());
    op.time = op.index;
    op.type = type;
    op.f = f;
    op.value = std::move(value);
    h.push_back(op);
  };
  for (int v = 1; v <= n; ++v) {
    add(OpType::kInvoke, "write", Json::array({"k", v}));
    call(s, service, {{"type", "write"}, {"key", "k"}, {"value", v}});
    add(OpType::kOk, "write", Json::array({"k", v}));
    add(OpType::kInvoke, "read", Json::array({"k", nullptr}));
    add(OpType::kOk, "read", Json::array({"k", call(s, service, {{"type", "read"}, {"key", "k"}})["value"]}));
  }
  return h;
}

Verdict judge(const std::string& checker, const History& h) {
  return make_checker(checker)->check(h, CheckOptions{}).verdict;
}

TEST(MaelstromServices, EachKeyValueServiceIsLinearizableAndEachFaultIsCaught) {
  for (const std::string service : {"lin-kv", "seq-kv", "lww-kv"}) {
    Services correct;
    EXPECT_EQ(judge("cas-register", register_history(correct, service, 30)), Verdict::kValid) << service;
    Services stale("stale-reads");
    EXPECT_EQ(judge("cas-register", register_history(stale, service, 30)), Verdict::kInvalid) << service;
    Services lost("lost-writes");
    EXPECT_EQ(judge("cas-register", register_history(lost, service, 30)), Verdict::kInvalid) << service;
  }
}

// ids from lin-tso, as a node handing out lin-tso timestamps as unique ids would.
History ids_history(Services& s, int n) {
  History h;
  for (int i = 0; i < n; ++i) {
    Op invoke;
    invoke.index = 2 * i;
    invoke.time = invoke.index;
    invoke.f = "generate";
    h.push_back(invoke);
    Op ok = invoke;
    ok.index = 2 * i + 1;
    ok.time = ok.index;
    ok.type = OpType::kOk;
    ok.value = call(s, "lin-tso", {{"type", "ts"}})["ts"];
    h.push_back(ok);
  }
  return h;
}

TEST(MaelstromServices, RepeatedTimestampsAreCaughtAsDuplicateIds) {
  Services correct;
  EXPECT_EQ(judge("unique-ids", ids_history(correct, 30)), Verdict::kValid);
  Services repeating("repeat-ts");
  EXPECT_EQ(judge("unique-ids", ids_history(repeating, 30)), Verdict::kInvalid);
}

TEST(MaelstromServices, FaultsAreNamed) {
  EXPECT_EQ(service_faults(), (std::set<std::string>{"stale-reads", "lost-writes", "repeat-ts"}));
  EXPECT_EQ(service_names(), (std::set<std::string>{"lin-kv", "seq-kv", "lww-kv", "lin-tso"}));
}

}  // namespace
}  // namespace faultline::maelstrom
