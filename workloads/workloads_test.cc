#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "checkers/registry.h"
#include "harness/core/error.h"
#include "targets/memory/memory_target.h"
#include "workloads/workload.h"

namespace faultline {
namespace {

// Runs `gen` on `threads` client threads, as the runner does, each op completed at once by
// `client`; returns the completions.
std::vector<Op> drive(const Gen& gen, Client& client, int threads, int max_ops, uint64_t seed) {
  std::vector<int64_t> process_of;
  for (int t = 0; t < threads; ++t) process_of.push_back(t);
  Rng rng(seed);
  Gen routed = clients(gen);
  std::vector<Op> out;
  int64_t time = 0;
  auto context = [&] {
    Context c;
    c.time = time;
    c.clients = threads;
    c.process_of = &process_of;
    c.rng = &rng;
    for (int t = 0; t <= threads; ++t) c.threads.push_back(t), c.free.push_back(t);
    return c;
  };
  while (static_cast<int>(out.size()) < max_ops) {
    Next n = routed->next(context());
    if (n.is_exhausted()) break;
    if (n.is_pending()) {
      EXPECT_NE(n.wake, INT64_MAX) << "a generator waiting on nothing with every thread idle";
      time = std::max(time + 1, n.wake);
      continue;
    }
    time = std::max(time, n.op.time);
    routed->update(context(), n.op);
    Op done = client.invoke(n.op);
    routed->update(context(), done);
    out.push_back(done);
  }
  return out;
}

struct Phases {
  std::vector<Op> main, final;
};

// The workload's main phase (`ops` ops) and then its final phase, against the memory target.
Phases run(const std::string& name, Json options = Json::object(), uint64_t seed = 1, int ops = 300) {
  Workload w = make_workload(name, {{}, 4, options});
  auto target = memory_target(name, Json::object(), seed);
  TestEnv env;
  env.vocabulary = w.vocabulary;
  target->setup(env);
  auto client = target->make_client();
  client->setup(w.prepare);
  Phases r;
  r.main = drive(w.generator, *client, 4, ops, seed);
  if (w.final_generator) r.final = drive(w.final_generator, *client, 4, 100000, seed);
  return r;
}

Json checker_options(const std::string& workload, const std::string& checker, Json options = Json::object()) {
  for (const auto& [name, o] : make_workload(workload, {{}, 4, std::move(options)}).checkers)
    if (name == checker) return o;
  ADD_FAILURE() << workload << " has no checker " << checker;
  return nullptr;
}

Json values(const std::vector<Op>& ops) {
  Json out = Json::array();
  for (const Op& op : ops) out.push_back({op.f, op.value});
  return out;
}

int count_f(const std::vector<Op>& ops, const std::string& f) {
  return static_cast<int>(std::count_if(ops.begin(), ops.end(), [&](const Op& op) { return op.f == f; }));
}

const std::vector<std::string> kNew = {"list-append", "rw-register", "set",        "set-full", "counter",
                                       "bank",        "queue",       "unique-ids", "long-fork"};

TEST(Workloads, AllAreListedWithHelp) {
  for (const auto& name : kNew) {
    EXPECT_NE(std::find(workload_names().begin(), workload_names().end(), name), workload_names().end());
    EXPECT_NE(workload_help().find("  " + name + ": "), std::string::npos) << name;
  }
  EXPECT_THROW(make_workload("nope", {}), Error);
}

// Maelstrom's vocabularies that only the maelstrom target speaks (its e2e tests run them).
const std::set<std::string> kMaelstromOnly = {"echo", "broadcast", "g-set", "g-counter", "pn-counter", "kafka"};

TEST(Workloads, EveryOneHasStatsAndPerfAndOnlyOk) {
  for (const auto& name : workload_names()) {
    if (kMaelstromOnly.count(name)) continue;
    std::set<std::string> checkers;
    for (const auto& [checker, options] : make_workload(name, {{}, 4, Json::object()}).checkers)
      checkers.insert(checker);
    EXPECT_TRUE(checkers.count("stats") && checkers.count("perf")) << name;
    // A healthy store refuses nothing but compare-and-sets that do not match, dequeues from an
    // empty queue and transfers without funds.
    for (const Op& op : run(name).main) {
      if (op.f != "cas" && op.f != "dequeue" && op.f != "transfer") {
        EXPECT_TRUE(op.is_ok()) << name << " " << op.f << " " << op.error;
      }
    }
  }
}

TEST(Workloads, DeterministicForASeed) {
  for (const auto& name : workload_names()) {
    if (kMaelstromOnly.count(name)) continue;
    Phases a = run(name, Json::object(), 7), b = run(name, Json::object(), 7);
    EXPECT_TRUE(values(a.main) == values(b.main)) << name;
    EXPECT_TRUE(values(a.final) == values(b.final)) << name;
    bool random = name != "set" && name != "unique-ids";  // these two make no random choices
    if (random) {
      EXPECT_FALSE(values(a.main) == values(run(name, Json::object(), 8).main)) << name;
    }
  }
}

TEST(Workloads, BadOptionsNameTheOption) {
  auto message = [](const std::string& name, Json options) -> std::string {
    try {
      make_workload(name, {{}, 4, std::move(options)});
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message("list-append", {{"key-dist", "gaussian"}}).find("key-dist"), std::string::npos);
  EXPECT_NE(message("rw-register", {{"max-txn-length", 0}}).find("max-txn-length"), std::string::npos);
  EXPECT_NE(message("rw-register", {{"consistency-models", 3}}).find("consistency-models"), std::string::npos);
  EXPECT_NE(message("list-append", {{"consistency-models", "serialisable"}}).find("serialisable"), std::string::npos);
  EXPECT_NE(message("bank", {{"accounts", 1}}).find("accounts"), std::string::npos);
  EXPECT_NE(message("long-fork", {{"group-size", "three"}}).find("group-size"), std::string::npos);
  EXPECT_NE(message("set-full", {{"linearizable", 1}}).find("linearizable"), std::string::npos);
}

// Txns: lengths, unique values per key, bounded writes per key, final reads of every key.
void check_txns(const std::string& name, const char* write_f) {
  Json options = {{"min-txn-length", 2},
                  {"max-txn-length", 3},
                  {"max-writes-per-key", 5},
                  {"key-count", 3},
                  {"consistency-models", {"serializable"}}};
  Phases r = run(name, options, 3, 400);
  std::map<int64_t, std::set<int64_t>> written;
  for (const Op& op : r.main) {
    ASSERT_EQ(op.f, "txn");
    EXPECT_GE(op.value.size(), 2u);
    EXPECT_LE(op.value.size(), 3u);
    for (const Json& mop : op.value) {
      if (mop[0] == "r") continue;
      EXPECT_EQ(mop[0], write_f);
      EXPECT_TRUE(written[mop[1].get<int64_t>()].insert(mop[2].get<int64_t>()).second) << "repeated " << mop;
    }
  }
  for (const auto& [key, vs] : written) EXPECT_LE(vs.size(), 5u) << key;
  EXPECT_GT(written.size(), 20u);  // keys retired and fresh ones took their places
  std::set<int64_t> finally_read;
  for (const Op& op : r.final)
    for (const Json& mop : op.value) {
      EXPECT_EQ(mop[0], "r");
      finally_read.insert(mop[1].get<int64_t>());
    }
  for (const auto& [key, vs] : written) EXPECT_TRUE(finally_read.count(key)) << key;
  EXPECT_EQ(checker_options(name, name, options)["consistency-models"], Json::array({"serializable"}));
  EXPECT_EQ(checker_options(name, name)["consistency-models"], Json::array({"strict-serializable"}));
}

TEST(Workloads, ListAppendTxns) { check_txns("list-append", "append"); }
TEST(Workloads, RwRegisterTxns) { check_txns("rw-register", "w"); }

TEST(Workloads, KeyDistributions) {
  // The share of micro-ops on the hottest of 8 keys (keys never retire here).
  auto hottest = [](const std::string& dist) {
    Phases r = run("list-append", {{"key-dist", dist}, {"max-writes-per-key", 100000}}, 5, 2000);
    std::map<Json, double> per_key;
    double total = 0;
    for (const Op& op : r.main)
      for (const Json& mop : op.value) per_key[mop[1]] += 1, total += 1;
    EXPECT_EQ(per_key.size(), 8u);
    double top = 0;
    for (auto& [k, n] : per_key) top = std::max(top, n / total);
    return top;
  };
  EXPECT_NEAR(hottest("uniform"), 1.0 / 8, 0.04);
  double harmonic8 = 1 + 1.0 / 2 + 1.0 / 3 + 1.0 / 4 + 1.0 / 5 + 1.0 / 6 + 1.0 / 7 + 1.0 / 8;
  EXPECT_NEAR(hottest("zipf"), 1.0 / harmonic8, 0.04);
  EXPECT_NEAR(hottest("exponential"), 0.5, 0.04);
}

TEST(Workloads, SetAddsUniqueElementsThenReads) {
  Phases r = run("set");
  std::set<Json> added;
  for (const Op& op : r.main) {
    EXPECT_EQ(op.f, "add");
    EXPECT_TRUE(added.insert(op.value).second);
  }
  ASSERT_FALSE(r.final.empty());
  EXPECT_EQ(count_f(r.final, "read"), static_cast<int>(r.final.size()));
  EXPECT_EQ(r.final.back().value.size(), added.size());
}

TEST(Workloads, SetFullReadsThroughout) {
  Phases r = run("set-full", {{"read-every", 4}, {"elements", 1500}}, 1, 100000);
  EXPECT_EQ(count_f(r.main, "add"), 1500);  // and then the main phase ends
  EXPECT_NEAR(count_f(r.main, "read") / static_cast<double>(r.main.size()), 0.25, 0.04);
  EXPECT_EQ(checker_options("set-full", "set-full", {{"linearizable", true}})["linearizable"], true);
}

TEST(Workloads, CounterAddsWithinMaxAdd) {
  Phases r = run("counter", {{"max-add", 3}});
  std::set<int64_t> amounts;
  for (const Op& op : r.main)
    if (op.f == "add") amounts.insert(op.value.get<int64_t>());
  EXPECT_EQ(amounts, (std::set<int64_t>{1, 2, 3}));
  EXPECT_GT(count_f(r.main, "read"), 100);
}

TEST(Workloads, BankTransfersBetweenDistinctAccountsAndChecksTheTotal) {
  Json options = {{"accounts", 3}, {"balance", 7}, {"max-transfer", 2}, {"negative-balances", true}};
  Phases r = run("bank", options);
  for (const Op& op : r.main) {
    if (op.f != "transfer") continue;
    EXPECT_NE(op.value["from"], op.value["to"]);
    EXPECT_LT(op.value["from"].get<int>(), 3);
    EXPECT_LT(op.value["to"].get<int>(), 3);
    EXPECT_LE(op.value["amount"].get<int>(), 2);
  }
  Json checker = checker_options("bank", "bank", options);
  EXPECT_EQ(checker["total"], 21);
  EXPECT_EQ(checker["accounts"], Json::array({0, 1, 2}));
  EXPECT_EQ(checker["negative-balances"], true);
  EXPECT_EQ(r.final.back().value.size(), 3u);
  int64_t total = 0;  // the store opened the accounts the workload asked for
  for (const auto& [account, balance] : r.final.back().value.items()) total += balance.get<int64_t>();
  EXPECT_EQ(total, 21);
}

TEST(Workloads, QueueEnqueuesUniqueElementsThenDrains) {
  Phases r = run("queue", {{"allow-duplicates", true}});
  std::set<Json> enqueued;
  for (const Op& op : r.main) {
    if (op.f == "enqueue") {
      EXPECT_TRUE(enqueued.insert(op.value).second);
    }
  }
  EXPECT_GT(count_f(r.main, "dequeue"), 100);
  EXPECT_EQ(count_f(r.final, "drain"), static_cast<int>(r.final.size()));
  EXPECT_EQ(checker_options("queue", "total-queue", {{"allow-duplicates", true}})["allow-duplicates"], true);
}

TEST(Workloads, LongForkWritesFreshKeysAndReadsWholeGroups) {
  Phases r = run("long-fork", {{"group-size", 3}});
  std::set<Json> written;
  int reads = 0;
  for (const Op& op : r.main) {
    if (op.value.size() == 1 && op.value[0][0] == "w") {
      EXPECT_TRUE(written.insert(op.value[0][1]).second);
      continue;
    }
    ++reads;
    ASSERT_EQ(op.value.size(), 3u);
    std::set<int64_t> keys;
    for (const Json& mop : op.value) keys.insert(mop[1].get<int64_t>());
    EXPECT_EQ(*keys.begin() % 3, 0);
    EXPECT_EQ(*keys.rbegin() - *keys.begin(), 2);
  }
  EXPECT_GT(reads, 100);
  EXPECT_EQ(checker_options("long-fork", "long-fork", {{"group-size", 3}})["group-size"], 3);
}

TEST(Workloads, EveryVocabularyIsANamedOne) {
  auto names = vocabulary_names();
  for (const auto& w : workload_names())
    EXPECT_NE(std::find(names.begin(), names.end(), workload_vocabulary(w)), names.end())
        << w << ": " << workload_vocabulary(w);
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

// One node's worth of Maelstrom g-set, counter and kafka, in memory; `forget_every` > 0 makes it
// acknowledge every n-th add or send without keeping it.
class FakeMaelstromNode : public Client {
 public:
  explicit FakeMaelstromNode(int forget_every = 0) : forget_every_(forget_every) {}
  Op invoke(const Op& op) override {
    bool forget = forget_every_ > 0 && ++writes_ % forget_every_ == 0 && (op.f == "add" || op.f == "send");
    if (op.f == "add") {
      if (!forget) {
        set_.insert(op.value);
        sum_ += op.value.get<int64_t>();
      }
      return complete(op, OpType::kOk, op.value);
    }
    if (op.f == "read")
      return complete(op, OpType::kOk, counter_ ? Json(sum_) : Json(std::vector<Json>(set_.begin(), set_.end())));
    if (op.f == "send") {
      auto& log = logs_[op.value[0].get<std::string>()];
      if (!forget) log.push_back(op.value[1]);
      return complete(op, OpType::kOk, Json::array({op.value[0], op.value[1], static_cast<int64_t>(log.size()) - 1}));
    }
    if (op.f == "poll") {
      Json msgs = Json::object();
      for (const auto& [key, from] : op.value.items()) {
        msgs[key] = Json::array();
        auto& log = logs_[key];
        for (size_t o = from.get<size_t>(); o < log.size(); ++o) msgs[key].push_back({o, log[o]});
      }
      return complete(op, OpType::kOk, msgs);
    }
    if (op.f == "commit_offsets") {
      for (const auto& [key, o] : op.value.items()) committed_[key] = std::max(committed_[key], o.get<int64_t>());
      return complete(op, OpType::kOk, op.value);
    }
    if (op.f == "list_committed_offsets") {
      Json out = Json::object();
      for (const Json& key : op.value)
        if (committed_.count(key.get<std::string>())) out[key.get<std::string>()] = committed_[key.get<std::string>()];
      return complete(op, OpType::kOk, out);
    }
    ADD_FAILURE() << "unexpected op " << op.f;
    return complete(op, OpType::kFail, nullptr);
  }
  bool counter_ = false;

 private:
  int forget_every_;
  int64_t writes_ = 0, sum_ = 0;
  std::set<Json> set_;
  std::map<std::string, std::vector<Json>> logs_;
  std::map<std::string, int64_t> committed_;
};

// Records every invocation and completion that passes through it, as the interpreter's history.
class Recording : public Client {
 public:
  explicit Recording(Client& inner) : inner_(inner) {}
  Op invoke(const Op& op) override {
    append(op);
    Op done = inner_.invoke(op);
    append(done);
    return done;
  }
  History history;

 private:
  void append(Op op) {
    op.index = static_cast<int64_t>(history.size());
    op.node = "n1";
    history.push_back(std::move(op));
  }
  Client& inner_;
};

// The workload's main and final phases against `node`, judged by the workload's own checker.
Verdict judge_maelstrom(const std::string& name, FakeMaelstromNode& node, std::vector<Op>* ops = nullptr) {
  Workload w = make_workload(name, {{}, 3, Json::object()});
  Recording recording(node);
  std::vector<Op> all = drive(w.generator, recording, 3, 200, 3);
  std::vector<Op> final = drive(w.final_generator, recording, 3, 1000, 3);
  all.insert(all.end(), final.begin(), final.end());
  if (ops) *ops = all;
  return make_checker(w.checkers.front().first)->check(recording.history, CheckOptions{}).verdict;
}

TEST(MaelstromWorkloads, GSetCountersAndKafkaAreValidAgainstACorrectNodeAndInvalidWhenItForgets) {
  for (const std::string name : {"g-set", "g-counter", "pn-counter", "kafka"}) {
    FakeMaelstromNode correct, forgetful(5);
    correct.counter_ = forgetful.counter_ = name != "g-set" && name != "kafka";
    std::vector<Op> ops;
    EXPECT_EQ(judge_maelstrom(name, correct, &ops), Verdict::kValid) << name;
    EXPECT_EQ(judge_maelstrom(name, forgetful), Verdict::kInvalid) << name;
    std::set<std::string> fs;
    for (const Op& op : ops) fs.insert(op.f);
    if (name == "kafka") {
      EXPECT_EQ(fs, (std::set<std::string>{"send", "poll", "commit_offsets", "list_committed_offsets"}));
    } else {
      EXPECT_EQ(fs, (std::set<std::string>{"add", "read"})) << name;
    }
  }
}

TEST(MaelstromWorkloads, GCounterAddsAreNonNegativeAndPnCounterAddsTakeBothSigns) {
  for (const std::string name : {"g-counter", "pn-counter"}) {
    FakeMaelstromNode node;
    node.counter_ = true;
    std::vector<Op> ops;
    judge_maelstrom(name, node, &ops);
    int64_t negative = 0;
    for (const Op& op : ops)
      if (op.f == "add") negative += op.value.get<int64_t>() < 0;
    if (name == "g-counter")
      EXPECT_EQ(negative, 0);
    else
      EXPECT_GT(negative, 0);
  }
}

}  // namespace
}  // namespace faultline
