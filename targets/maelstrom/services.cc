#include "targets/maelstrom/services.h"

namespace faultline::maelstrom {

const std::set<std::string>& service_names() {
  static const std::set<std::string> names = {"lin-kv", "seq-kv", "lww-kv", "lin-tso"};
  return names;
}

const std::set<std::string>& service_faults() {
  static const std::set<std::string> faults = {"stale-reads", "lost-writes", "repeat-ts"};
  return faults;
}

namespace {

Json reply_to(const Json& msg, Json body) {
  body["in_reply_to"] = msg["body"].value("msg_id", 0);
  return {{"src", msg["dest"]}, {"dest", msg["src"]}, {"body", std::move(body)}};
}

Json error_body(int code, const std::string& text) { return {{"type", "error"}, {"code", code}, {"text", text}}; }

}  // namespace

bool Services::misbehave(const std::string& fault) { return fault_ == fault && rng_() % 3 == 0; }

Json Services::serve(const Json& msg) {
  const std::string service = msg.value("dest", "");
  const Json& b = msg["body"];
  std::string type = b.value("type", "");
  std::lock_guard lock(mu_);
  if (service == "lin-tso") {
    if (type != "ts") return reply_to(msg, error_body(10, "lin-tso serves ts"));
    if (!(ts_ > 0 && misbehave("repeat-ts"))) ++ts_;
    return reply_to(msg, {{"type", "ts_ok"}, {"ts", ts_}});
  }
  if (!service_names().count(service)) return reply_to(msg, error_body(1, "no service " + service));
  auto& store = kv_[service];
  std::string key = b.contains("key") ? b["key"].dump() : "";
  auto it = store.find(key);
  if (type == "read") {
    if (it == store.end()) return reply_to(msg, error_body(20, "key does not exist"));
    Json value = it->second;
    if (kv_previous_[service].count(key) && misbehave("stale-reads")) value = kv_previous_[service][key];
    return reply_to(msg, {{"type", "read_ok"}, {"value", value}});
  }
  auto put = [&](const Json& v) {
    if (misbehave("lost-writes")) return;
    if (it != store.end()) kv_previous_[service][key] = it->second;
    store[key] = v;
  };
  if (type == "write") {
    put(b["value"]);
    return reply_to(msg, {{"type", "write_ok"}});
  }
  if (type == "cas") {
    if (it == store.end()) {
      if (!b.value("create_if_not_exists", false)) return reply_to(msg, error_body(20, "key does not exist"));
    } else if (it->second != b["from"]) {
      return reply_to(msg, error_body(22, "expected " + b["from"].dump() + ", had " + it->second.dump()));
    }
    put(b["to"]);
    return reply_to(msg, {{"type", "cas_ok"}});
  }
  return reply_to(msg, error_body(10, service + " does not serve " + type));
}

}  // namespace faultline::maelstrom
