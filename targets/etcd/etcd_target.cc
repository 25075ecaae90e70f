#include "targets/etcd/etcd_target.h"

#include <charconv>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "harness/control/base64.h"
#include "harness/control/fan_out.h"
#include "harness/control/node_layout.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "harness/core/log.h"
#include "targets/etcd/http.h"
#include "targets/node_daemon.h"

namespace faultline {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kDir = std::string(kNodeStorage) + "/etcd";
const std::string kDataDir = kDir + "/data";
const milliseconds kReadyTimeout = seconds(60);

// What clients need from setup: where each node listens, and how to talk to it.
struct EtcdConfig {
  bool serializable = false;
  // Raft timing (etcd's defaults 100 / 1000 ms): slow nodes, such as VMs without KVM, need more.
  int heartbeat_ms = 100, election_ms = 1000;
  std::string vocabulary;                      // the workload's, from setup: "add" and "read" mean different things
  std::map<std::string, std::string> address;  // node -> address
  milliseconds op_timeout = seconds(10);
};

std::string client_url(const std::string& address) { return "http://" + address + ":2379"; }

// etcd's JSON gateway writes int64s as strings and leaves out zero values.
int64_t int_field(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return 0;
  return it->is_string() ? std::stoll(it->get<std::string>()) : it->get<int64_t>();
}

// An etcd key's value and mod revision (0: the key does not exist).
struct Versioned {
  Json value;
  int64_t revision = 0;
};

Versioned versioned(const Json& kv) {
  return {Json::parse(base64_decode(kv.value("value", ""))), int_field(kv, "mod_revision")};
}

// The key one past every key starting with `prefix`, for prefix ranges.
std::string prefix_end(std::string prefix) {
  prefix.back() = char(prefix.back() + 1);
  return prefix;
}

Json put_request(const std::string& key, const Json& value) {
  return {{"request_put", {{"key", base64_encode(key)}, {"value", base64_encode(value.dump())}}}};
}

class EtcdClient : public Client {
 public:
  explicit EtcdClient(std::shared_ptr<const EtcdConfig> config) : config_(std::move(config)) {}

  void open(const std::string& node) override {
    auto it = config_->address.find(node);
    if (it == config_->address.end()) fail(ErrorCode::kNotFound, "etcd: no address for node " + node);
    url_ = client_url(it->second);
  }

  // Creates the bank's accounts (prepare: {"accounts": N, "balance": B}) unless they exist.
  void setup(const Json& prepare) override {
    if (!prepare.contains("accounts")) return;
    Json puts = Json::array();
    for (int64_t a = 0; a < prepare["accounts"].get<int64_t>(); ++a)
      puts.push_back(put_request(account_key(a), prepare.value("balance", int64_t{10})));
    call("/v3/kv/txn", {{"compare",
                         {{{"key", base64_encode(account_key(0))},
                           {"target", "CREATE"},
                           {"result", "EQUAL"},
                           {"create_revision", "0"}}}},
                        {"success", puts}});
  }

  Op invoke(const Op& op) override {
    try {
      const std::string& v = config_->vocabulary;
      if (v == "register" || v == "cas-register") {
        if (op.f == "read") return read_register(op);
        if (op.f == "write") return write(op);
        if (op.f == "cas") return cas(op);
      } else if (v == "list-append" || v == "rw-register" || v == "long-fork") {
        if (op.f == "txn") return txn(op);
      } else if (v == "set") {
        if (op.f == "add") return add(op);
        if (op.f == "read") return read_set(op);
      } else if (v == "bank") {
        if (op.f == "transfer") return transfer(op);
        if (op.f == "read") return read_bank(op);
      } else if (v == "counter") {
        if (op.f == "add") return counter_add(op);
        if (op.f == "read") return counter_read(op);
      } else if (v == "unique-ids") {
        if (op.f == "generate") return generate(op);
      } else if (v == "queue") {
        if (op.f == "enqueue") return enqueue(op);
        if (op.f == "dequeue") return dequeue(op);
        if (op.f == "drain") return drain(op);
      }
      return complete_error(op, OpType::kFail,
                            "the etcd client has no op \"" + op.f + "\" in the " + v + " vocabulary");
    } catch (const Error& e) {
      // Nothing was sent, or nothing could have changed: the op definitely did not happen.
      bool definite = e.code() == ErrorCode::kUnavailable || e.code() == ErrorCode::kBadInput || read_only(op);
      return complete_error(op, definite ? OpType::kFail : OpType::kInfo, e.what());
    }
  }

 private:
  static bool read_only(const Op& op) {
    if (op.f == "read") return true;
    if (op.f != "txn" || !op.value.is_array()) return false;
    for (const Json& mop : op.value)
      if (!mop.is_array() || mop.empty() || mop[0] != "r") return false;
    return true;
  }

  static std::string register_key(const Json& k) { return "r/" + k.dump(); }
  static std::string txn_key(const Json& k) { return "t/" + k.dump(); }
  static std::string account_key(const Json& a) { return "b/" + a.dump(); }
  static constexpr const char* kSetPrefix = "s/";
  static constexpr const char* kBankPrefix = "b/";
  static constexpr const char* kQueuePrefix = "q/";
  static constexpr const char* kTakenPrefix = "q-taken/";
  static constexpr const char* kCounterKey = "c";
  static constexpr const char* kIdKey = "u";
  // Read-modify-write ops retry a lost compare this often before they give up (a definite fail).
  static constexpr int kAttempts = 20;
  static constexpr seconds kDrainPatience{30};

  // POSTs to the node; an error reply throws Error(kRemote) with etcd's message.
  Json call(const std::string& path, const Json& body) {
    HttpReply reply = http_.post(url_ + path, body, config_->op_timeout);
    if (reply.status != 200) {
      std::string message = reply.body.is_object() ? reply.body.value("error", reply.body.dump()) : reply.body.dump();
      fail(ErrorCode::kRemote, "etcd: " + message);
    }
    return reply.body;
  }

  Json range_request(const std::string& key, const std::string& range_end = "") {
    Json r = {{"key", base64_encode(key)}, {"serializable", config_->serializable}};
    if (!range_end.empty()) r["range_end"] = base64_encode(range_end);
    return r;
  }

  // Every key-value pair in [key, range_end), or just `key` when range_end is empty.
  std::vector<Json> range(const std::string& key, const std::string& range_end = "") {
    Json reply = call("/v3/kv/range", range_request(key, range_end));
    return reply.value("kvs", std::vector<Json>{});
  }

  // Reads `keys` in one etcd txn, so the values belong to one revision.
  std::map<std::string, Versioned> snapshot(const std::vector<std::string>& keys) {
    Json reads = Json::array();
    for (const auto& k : keys) reads.push_back({{"request_range", range_request(k)}});
    Json reply = call("/v3/kv/txn", {{"success", reads}});
    std::map<std::string, Versioned> out;
    const Json responses = reply.value("responses", Json::array());
    for (size_t i = 0; i < keys.size(); ++i) {
      Json kvs = i < responses.size() ? responses[i].value("response_range", Json::object()).value("kvs", Json::array())
                                      : Json::array();
      out[keys[i]] = kvs.empty() ? Versioned{} : versioned(kvs[0]);
    }
    return out;
  }

  // Writes `values` iff none of the `seen` keys changed revision since they were read.
  bool commit(const std::map<std::string, Versioned>& seen, const std::map<std::string, Json>& values) {
    Json compare = Json::array(), puts = Json::array();
    for (const auto& [k, v] : seen)
      compare.push_back({{"key", base64_encode(k)},
                         {"target", "MOD"},
                         {"result", "EQUAL"},
                         {"mod_revision", std::to_string(v.revision)}});
    for (const auto& [k, v] : values) puts.push_back(put_request(k, v));
    return call("/v3/kv/txn", {{"compare", compare}, {"success", puts}}).value("succeeded", false);
  }

  // Register ops on independent keys: value [k v].
  Op read_register(const Op& op) {
    bool tuple = op.value.is_array() && op.value.size() == 2;
    Json key = tuple ? op.value[0] : Json(nullptr);
    auto kvs = range(register_key(key));
    Json v = kvs.empty() ? Json(nullptr) : versioned(kvs[0]).value;
    return complete(op, OpType::kOk, tuple ? Json::array({key, v}) : v);
  }

  Op write(const Op& op) {
    bool tuple = op.value.is_array() && op.value.size() == 2;
    Json key = tuple ? op.value[0] : Json(nullptr);
    call("/v3/kv/put", {{"key", base64_encode(register_key(key))},
                        {"value", base64_encode((tuple ? op.value[1] : op.value).dump())}});
    return complete(op, OpType::kOk, op.value);
  }

  Op cas(const Op& op) {
    bool tuple = op.value.is_array() && op.value.size() == 2;
    Json key = tuple ? op.value[0] : Json(nullptr);
    const Json& arg = tuple ? op.value[1] : op.value;
    if (!arg.is_array() || arg.size() != 2) fail(ErrorCode::kBadInput, "cas needs [old new], got " + arg.dump());
    std::string k = base64_encode(register_key(key));
    Json reply = call(
        "/v3/kv/txn",
        {{"compare", {{{"key", k}, {"target", "VALUE"}, {"result", "EQUAL"}, {"value", base64_encode(arg[0].dump())}}}},
         {"success", {put_request(register_key(key), arg[1])}}});
    return complete(op, reply.value("succeeded", false) ? OpType::kOk : OpType::kFail, op.value);
  }

  // Micro-ops ["r" k nil], ["w" k v], ["append" k v] on lists and registers, all or nothing.
  Op txn(const Op& op) {
    if (!op.value.is_array()) fail(ErrorCode::kBadInput, "txn value must be a list, got " + op.value.dump());
    std::vector<std::string> keys;
    for (const Json& mop : op.value) {
      if (!mop.is_array() || mop.size() != 3 || !mop[0].is_string())
        fail(ErrorCode::kBadInput, "malformed micro-op " + mop.dump());
      keys.push_back(txn_key(mop[1]));
    }
    auto seen = snapshot(keys);
    std::map<std::string, Json> state, written;
    for (const auto& [k, v] : seen) state[k] = v.value;
    Json out = Json::array();
    for (const Json& mop : op.value) {
      const std::string& f = mop[0].get_ref<const std::string&>();
      std::string k = txn_key(mop[1]);
      Json result = mop;
      if (f == "r") {
        result[2] = state[k];
      } else if (f == "w") {
        written[k] = state[k] = mop[2];
      } else if (f == "append") {
        if (state[k].is_null()) state[k] = Json::array();
        state[k].push_back(mop[2]);
        written[k] = state[k];
      } else {
        fail(ErrorCode::kBadInput, "unknown micro-op \"" + f + "\"");
      }
      out.push_back(std::move(result));
    }
    if (!written.empty() && !commit(seen, written))
      return complete_error(op, OpType::kFail, "conflict: a key changed between read and commit");
    return complete(op, OpType::kOk, out);
  }

  // Set elements are keys of their own, so adds never conflict.
  Op add(const Op& op) {
    call("/v3/kv/put",
         {{"key", base64_encode(kSetPrefix + op.value.dump())}, {"value", base64_encode(op.value.dump())}});
    return complete(op, OpType::kOk, op.value);
  }

  Op transfer(const Op& op) {
    const Json& v = op.value;
    if (!v.is_object() || !v.contains("from") || !v.contains("to") || !v.contains("amount"))
      fail(ErrorCode::kBadInput, "transfer needs {from, to, amount}, got " + v.dump());
    std::string from = account_key(v["from"]), to = account_key(v["to"]);
    int64_t amount = v["amount"].get<int64_t>();
    auto seen = snapshot({from, to});
    int64_t from_balance = seen[from].value.is_number() ? seen[from].value.get<int64_t>() : 0;
    int64_t to_balance = seen[to].value.is_number() ? seen[to].value.get<int64_t>() : 0;
    if (from_balance < amount) return complete_error(op, OpType::kFail, "insufficient funds");
    if (!commit(seen, {{from, from_balance - amount}, {to, to_balance + amount}}))
      return complete_error(op, OpType::kFail, "conflict: a balance changed between read and commit");
    return complete(op, OpType::kOk, v);
  }

  Op read_bank(const Op& op) {
    Json balances = Json::object();
    for (const Json& kv : range(kBankPrefix, prefix_end(kBankPrefix)))
      balances[base64_decode(kv["key"].get<std::string>()).substr(2)] = versioned(kv).value;
    return complete(op, OpType::kOk, balances);
  }

  Op read_set(const Op& op) {
    Json elements = Json::array();
    for (const Json& kv : range(kSetPrefix, prefix_end(kSetPrefix))) elements.push_back(versioned(kv).value);
    return complete(op, OpType::kOk, elements);
  }

  // Adds `delta` to the integer at `key` in a txn that compares the key's mod revision, so no
  // concurrent add is lost; returns the new value, or nullopt when every attempt lost the compare.
  std::optional<int64_t> increment(const std::string& key, int64_t delta) {
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      auto seen = snapshot({key});
      int64_t now = seen[key].value.is_number_integer() ? seen[key].value.get<int64_t>() : 0;
      if (commit(seen, {{key, now + delta}})) return now + delta;
    }
    return std::nullopt;
  }

  Op counter_add(const Op& op) {
    if (!op.value.is_number_integer())
      fail(ErrorCode::kBadInput, "counter add needs an integer, got " + op.value.dump());
    if (!increment(kCounterKey, op.value.get<int64_t>()))
      return complete_error(op, OpType::kFail, "conflict: the counter changed on every attempt");
    return complete(op, OpType::kOk, op.value);
  }

  Op counter_read(const Op& op) {
    auto kvs = range(kCounterKey);
    Json v = kvs.empty() ? Json(int64_t{0}) : versioned(kvs[0]).value;
    return complete(op, OpType::kOk, v);
  }

  Op generate(const Op& op) {
    auto id = increment(kIdKey, 1);
    if (!id) return complete_error(op, OpType::kFail, "conflict: the id counter changed on every attempt");
    return complete(op, OpType::kOk, *id);
  }

  // Queue elements are keys under q/, oldest first by create revision; the key carries a nonce so
  // that equal values stay distinct.
  Op enqueue(const Op& op) {
    std::string key =
        kQueuePrefix + op.value.dump() + "/" + std::to_string(op.process) + "-" + std::to_string(++enqueued_);
    call("/v3/kv/put", {{"key", base64_encode(key)}, {"value", base64_encode(op.value.dump())}});
    return complete(op, OpType::kOk, op.value);
  }

  // The oldest queue element (by create revision), if any.
  std::optional<Json> head() {
    Json r = range_request(kQueuePrefix, prefix_end(kQueuePrefix));
    r.update({{"limit", 1}, {"sort_order", "ASCEND"}, {"sort_target", "CREATE"}});
    auto kvs = call("/v3/kv/range", r).value("kvs", std::vector<Json>{});
    if (kvs.empty()) return std::nullopt;
    return kvs[0];
  }

  // Deletes `kv` iff it is unchanged, in a txn that also runs `also`; false when it changed.
  bool take(const Json& kv, const Json& also = Json::array()) {
    Json success = {{{"request_delete_range", {{"key", kv["key"]}}}}};
    for (const Json& request : also) success.push_back(request);
    Json compare = {{{"key", kv["key"]},
                     {"target", "MOD"},
                     {"result", "EQUAL"},
                     {"mod_revision", std::to_string(int_field(kv, "mod_revision"))}}};
    return call("/v3/kv/txn", {{"compare", compare}, {"success", success}}).value("succeeded", false);
  }

  Op dequeue(const Op& op) {
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      auto kv = head();
      if (!kv) return complete_error(op, OpType::kFail, "empty");
      if (take(*kv)) return complete(op, OpType::kOk, versioned(*kv).value);
    }
    return complete_error(op, OpType::kFail, "conflict: the queue's head changed on every attempt");
  }

  // The final drain runs right after the heal, while a restarted node may still be catching up,
  // so each step is retried for a while. Each take also writes a claim under q-taken/, so after a
  // lost reply the drain can tell whether the element went to it.
  Op drain(const Op& op) {
    const Json claim = "drain-" + std::to_string(op.process);
    const auto deadline = std::chrono::steady_clock::now() + kDrainPatience;
    Json all = Json::array();
    std::optional<Json> pending;  // taken, unless the reply was lost and the claim says otherwise
    for (;;) {
      try {
        if (pending) {
          auto claimed = range(kTakenPrefix + base64_decode((*pending)["key"].get<std::string>()));
          if (!claimed.empty() && versioned(claimed[0]).value == claim) all.push_back(versioned(*pending).value);
          pending.reset();
        }
        auto kv = head();
        if (!kv) break;
        std::string taken = kTakenPrefix + base64_decode((*kv)["key"].get<std::string>());
        try {
          if (take(*kv, Json::array({put_request(taken, claim)}))) all.push_back(versioned(*kv).value);
        } catch (const Error& e) {
          if (e.code() != ErrorCode::kUnavailable) pending = kv;  // sent: it may have been taken
          throw;
        }
      } catch (const Error& e) {
        if (std::chrono::steady_clock::now() > deadline) throw;
        log_warn("etcd: a drain step failed, retrying: " + std::string(e.what()));
        std::this_thread::sleep_for(milliseconds(250));
      }
    }
    return complete(op, OpType::kOk, all);
  }

  std::shared_ptr<const EtcdConfig> config_;
  std::string url_;
  HttpJson http_;
  int64_t enqueued_ = 0;
};

class EtcdTarget : public Target, public Daemon {
 public:
  explicit EtcdTarget(EtcdConfig config) : config_(std::make_shared<EtcdConfig>(std::move(config))) {}

  std::string name() const override { return "etcd"; }
  std::vector<std::string> speaks() const override {
    return {"register", "cas-register", "list-append", "rw-register", "set",
            "counter",  "bank",         "queue",       "unique-ids",  "long-fork"};
  }
  Daemon* daemon() override { return this; }
  std::unique_ptr<Client> make_client() override { return std::make_unique<EtcdClient>(config_); }

  void setup(const TestEnv& env) override {
    if (env.sessions.empty()) fail(ErrorCode::kBadInput, "the etcd target needs nodes");
    config_->op_timeout = milliseconds(static_cast<int64_t>(env.op_timeout_s * 1000));
    config_->vocabulary = env.vocabulary;
    std::vector<Session*> sessions = env.sessions;
    auto addresses = values_or_throw(fan_out(sessions, [](Session* s) { return node_address(*s); }));
    std::string cluster;
    for (size_t i = 0; i < sessions.size(); ++i) {
      config_->address[sessions[i]->node()] = addresses[i];
      cluster += (i ? "," : "") + sessions[i]->node() + "=http://" + addresses[i] + ":2380";
    }
    values_or_throw(fan_out(sessions, [&](Session* s) {
      if (s->exec_script("command -v etcd").exit_code != 0)
        fail(ErrorCode::kNotFound, s->node() + ": etcd is not installed; install Debian's etcd-server there");
      NodeDaemon d = daemon_for(*s, cluster, env.seed);
      d.env = daemon_clock_env(env, *s);
      stop_node_daemon(*s, d);
      s->check({"rm", "-rf", kDataDir, d.log_file});
      start_node_daemon(*s, d);
      std::lock_guard lock(mu_);
      daemons_[s->node()] = d;
    }));
    wait_healthy(sessions);
  }

  void teardown(const TestEnv& env) override {
    std::vector<Session*> sessions = env.sessions;
    auto stopped = fan_out(sessions, [&](Session* s) {
      NodeDaemon d = daemon_of(*s);
      stop_node_daemon(*s, d);
      download_node_logs(*s, env, {d.log_file});
    });
    values_or_throw(std::move(stopped));
  }

  void kill(Session& node) override { signal_node_daemon(node, daemon_of(node), "KILL"); }
  void start(Session& node) override { start_node_daemon(node, daemon_of(node)); }
  void pause(Session& node) override { signal_node_daemon(node, daemon_of(node), "STOP"); }
  void resume(Session& node) override { signal_node_daemon(node, daemon_of(node), "CONT"); }

  // A node is a leader when its status names itself as leader; during a partition a deposed
  // leader may still say so, so this can name more than one node.
  std::vector<std::string> primaries(const std::vector<Session*>& nodes) override {
    std::vector<std::string> leaders;
    HttpJson http;
    for (Session* s : nodes) {
      try {
        HttpReply r = http.post(client_url(config_->address.at(s->node())) + "/v3/maintenance/status", Json::object(),
                                seconds(2));
        if (r.status == 200 && int_field(r.body["header"], "member_id") == int_field(r.body, "leader"))
          leaders.push_back(s->node());
      } catch (const std::exception&) {
        // An unreachable or paused node is not a leader anyone can use.
      }
    }
    return leaders;
  }

  std::vector<std::string> data_files(Session& node) override {
    std::string out = node.check({"find", kDataDir, "-type", "f"});
    std::vector<std::string> files;
    for (size_t at = 0, end; at < out.size(); at = end + 1) {
      end = out.find('\n', at);
      if (end == std::string::npos) end = out.size();
      if (end > at) files.push_back(out.substr(at, end - at));
    }
    return files;
  }

 private:
  NodeDaemon daemon_for(Session& s, const std::string& cluster, uint64_t seed) {
    const std::string& address = config_->address.at(s.node());
    std::string peer = "http://" + address + ":2380";
    // With an existing data dir (a restart) etcd ignores the initial-cluster flags.
    std::string command = shell_join({"etcd",
                                      "--name",
                                      s.node(),
                                      "--data-dir",
                                      kDataDir,
                                      "--logger",
                                      "zap",
                                      "--listen-peer-urls",
                                      peer,
                                      "--initial-advertise-peer-urls",
                                      peer,
                                      "--listen-client-urls",
                                      client_url(address) + ",http://127.0.0.1:2379",
                                      "--advertise-client-urls",
                                      client_url(address),
                                      "--initial-cluster",
                                      cluster,
                                      "--initial-cluster-state",
                                      "new",
                                      "--initial-cluster-token",
                                      "faultline-" + std::to_string(seed),
                                      "--heartbeat-interval",
                                      std::to_string(config_->heartbeat_ms),
                                      "--election-timeout",
                                      std::to_string(config_->election_ms)});
    return {command, kDir + "/etcd.log", kDir + "/etcd.pid", ""};
  }

  NodeDaemon daemon_of(Session& node) {
    std::lock_guard lock(mu_);
    auto it = daemons_.find(node.node());
    if (it == daemons_.end()) fail(ErrorCode::kNotFound, "etcd was never set up on node " + node.node());
    return it->second;
  }

  // Every node reports healthy (it has a leader), or setup fails naming the ones that do not.
  void wait_healthy(const std::vector<Session*>& sessions) {
    HttpJson http;
    std::string unhealthy;
    bool ok = wait_until(kReadyTimeout, [&] {
      unhealthy.clear();
      for (Session* s : sessions) {
        std::string why;
        try {
          HttpReply r = http.get(client_url(config_->address.at(s->node())) + "/health", seconds(2));
          if (r.status == 200 && r.body.is_object() && r.body.value("health", "") == "true") continue;
          why = r.body.dump();
        } catch (const std::exception& e) {
          why = e.what();
        }
        expect_node_daemon_running(*s, daemon_of(*s), "etcd");
        unhealthy += (unhealthy.empty() ? "" : "; ") + s->node() + ": " + why;
      }
      return unhealthy.empty();
    });
    if (!ok)
      fail(ErrorCode::kUnavailable, "etcd did not become healthy within " +
                                        std::to_string(kReadyTimeout.count() / 1000) + " s (" + unhealthy +
                                        "); see the node logs " + kDir + "/etcd.log");
  }

  std::shared_ptr<EtcdConfig> config_;
  std::mutex mu_;
  std::map<std::string, NodeDaemon> daemons_;
};

}  // namespace

std::unique_ptr<Target> etcd_target(const Json& options) {
  EtcdConfig config;
  for (const auto& [key, value] : options.items()) {
    if (key == "read-consistency") {
      std::string rc = value.is_string() ? value.get<std::string>() : value.dump();
      if (rc != "linearizable" && rc != "serializable")
        fail(ErrorCode::kBadInput, "etcd option read-consistency must be linearizable or serializable, got " + rc);
      config.serializable = rc == "serializable";
    } else if (key == "heartbeat-ms" || key == "election-ms") {
      // --target-opt gives strings; a spec file may give numbers.
      std::string text = value.is_string() ? value.get<std::string>() : value.dump();
      int ms = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ms);
      if (error != std::errc() || end != text.data() + text.size() || ms <= 0)
        fail(ErrorCode::kBadInput,
             "etcd option " + key + " must be a positive number of milliseconds, got " + value.dump());
      (key == "heartbeat-ms" ? config.heartbeat_ms : config.election_ms) = ms;
    } else {
      fail(ErrorCode::kBadInput,
           "bad etcd target option " + key + "=" + value.dump() +
               "; known: read-consistency (linearizable|serializable), heartbeat-ms, election-ms");
    }
  }
  if (config.election_ms < 5 * config.heartbeat_ms)
    fail(ErrorCode::kBadInput, "etcd option election-ms (" + std::to_string(config.election_ms) +
                                   ") should be at least 5 times heartbeat-ms (" + std::to_string(config.heartbeat_ms) +
                                   ")");
  return std::make_unique<EtcdTarget>(std::move(config));
}

}  // namespace faultline
