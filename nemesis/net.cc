#include "nemesis/net.h"

#include <fmt/format.h>
#include <cstdio>
#include <map>
#include <mutex>
#include <sstream>

#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "nemesis/fault_table.h"
#include "nemesis/partition.h"

namespace faultline {
namespace {

constexpr const char* kPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; ";
constexpr const char* kHandle = "fa17:";

std::string number(double x) { return fmt::format("{:.6g}", x); }

std::string drops(const std::string& chain, const std::set<std::string>& from, const std::string& match) {
  std::string script = "iptables -w -F " + chain + "\n";
  for (const auto& address : from)
    script += "iptables -w -A " + chain + " -s " + shell_quote(address) + match + " -j DROP\n";
  return script;
}

}  // namespace

NodeNetwork probe_network(Session& node) {
  // SSH_CONNECTION is "client-address client-port server-address server-port". Read as the login
  // user: sudo drops it from the environment.
  std::string out =
      node.check_script(std::string(kPath) +
                            "set -- $SSH_CONNECTION; echo controller \"$1\" \"$4\"\n"
                            "ip -o -4 addr show scope global | while read -r _ dev _ address _; do\n"
                            "  echo address \"${address%/*}\"; [ \"${address%/*}\" = \"$3\" ] && echo device \"$dev\"\n"
                            "done; true",
                        {.as_login_user = true});
  NodeNetwork network;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    if (key == "controller")
      words >> network.controller >> network.ssh_port;
    else if (key == "address")
      network.addresses.emplace_back(), words >> network.addresses.back();
    else if (key == "device")
      words >> network.device;
  }
  if (network.addresses.empty())
    fail(ErrorCode::kRemote, node.node() + ": has no global IPv4 address (ip -4 addr) to partition");
  return network;
}

std::string chains_script(const NodeNetwork& node) {
  std::string script = std::string(kPath) + "set -e\n";
  for (const char* chain : {"FAULTLINE", "FAULTLINE-PARTITION", "FAULTLINE-LOSS"})
    script += std::string("iptables -w -N ") + chain + " 2>/dev/null || true\n";
  script += "iptables -w -F FAULTLINE\n";
  if (!node.controller.empty())
    script += "iptables -w -A FAULTLINE -s " + shell_quote(node.controller) + " -p tcp --dport " +
              shell_quote(node.ssh_port) + " -j ACCEPT\n";
  script +=
      "iptables -w -A FAULTLINE -j FAULTLINE-PARTITION\n"
      "iptables -w -A FAULTLINE -j FAULTLINE-LOSS\n"
      "iptables -w -C INPUT -j FAULTLINE 2>/dev/null || iptables -w -I INPUT 1 -j FAULTLINE\n";
  return script;
}

std::string partition_script(const NodeNetwork& node, const std::set<std::string>& from) {
  return chains_script(node) + drops("FAULTLINE-PARTITION", from, "");
}

std::string loss_script(const NodeNetwork& node, const std::set<std::string>& from, double probability) {
  return chains_script(node) +
         drops("FAULTLINE-LOSS", from, " -m statistic --mode random --probability " + number(probability));
}

std::string network_heal_script() {
  return std::string(kPath) +
         "if iptables -w -S FAULTLINE >/dev/null 2>&1; then\n"
         "  for chain in FAULTLINE-PARTITION FAULTLINE-LOSS; do\n"
         "    n=$(iptables -w -S $chain 2>/dev/null | grep -c '^-A' || true)\n"
         "    [ \"$n\" -gt 0 ] && echo \"removed $n iptables rules from $chain\"\n"
         "  done\n"
         "  while iptables -w -D INPUT -j FAULTLINE 2>/dev/null; do :; done\n"
         "  for chain in FAULTLINE FAULTLINE-PARTITION FAULTLINE-LOSS; do\n"
         "    iptables -w -F $chain 2>/dev/null; iptables -w -X $chain 2>/dev/null\n"
         "  done\n"
         "  echo 'removed iptables chain FAULTLINE'\n"
         "fi\n"
         "tc qdisc show 2>/dev/null | while read -r _ kind handle _ dev _; do\n"
         "  [ \"$handle\" = " +
         std::string(kHandle) +
         " ] || continue\n"
         "  tc qdisc del dev \"$dev\" root handle " +
         kHandle +
         " && echo \"removed tc $kind qdisc on $dev\"\n"
         "done; true\n";
}

namespace {

class NetworkNemesis : public Nemesis {
 public:
  NetworkNemesis(NemesisNodes nodes, uint64_t seed)
      : nodes_(std::move(nodes)), rng_(Rng(seed).fork("network-nemesis")) {}

  // Every node's network is learnt while all are up: a partition must name a peer's addresses
  // also while that peer is powered off.
  void setup() override {
    teardown();
    nodes_.on_each(nodes_.names(), [&](Session& s) {
      network(s.node());
      return Json(nullptr);
    });
  }

  void teardown() override {
    nodes_.on_each(nodes_.names(), [](Session& s) { return Json(s.check_script(network_heal_script())); });
  }

  std::set<std::string> fs() const override {
    return {"start-partition", "stop-partition", "start-loss",      "stop-loss",
            "start-netem",     "stop-netem",     "start-bandwidth", "stop-bandwidth"};
  }

  Op invoke(const Op& op) override { return complete(op, OpType::kInfo, perform(op.f, op.value)); }

 private:
  Json perform(const std::string& f, const Json& value) {
    const auto& names = nodes_.names();
    if (f == "start-partition") {
      Grudge grudge = partition_grudge(value.is_null() ? Json("random-halves") : value, names, rng_);
      nodes_.on_each(names, [&](Session& s) {
        std::set<std::string> from;
        if (grudge.count(s.node()))
          for (const auto& peer : grudge.at(s.node()))
            for (const auto& a : network(peer).addresses) from.insert(a);
        return Json(s.check_script(partition_script(network(s.node()), from)));
      });
      return {{"shape", value.is_null() ? Json("random-halves") : value}, {"grudge", to_json(grudge)}};
    }
    if (f == "start-loss") {
      OptionReader fields = fault_value("loss", value, f);
      double p = fields.get<double>("probability");
      if (!(p > 0 && p <= 1)) fail(ErrorCode::kBadInput, "start-loss probability must be in (0, 1], got " + number(p));
      auto targets = nodes_.select(fields.get<Json>("nodes"), rng_);
      auto peers = nodes_.select(fields.get<Json>("peers"), rng_);
      nodes_.on_each(targets, [&](Session& s) {
        std::set<std::string> from;
        for (const auto& peer : peers)
          if (peer != s.node())
            for (const auto& a : network(peer).addresses) from.insert(a);
        return Json(s.check_script(loss_script(network(s.node()), from, p)));
      });
      return {{"probability", p}, {"nodes", targets}, {"peers", peers}};
    }
    if (f == "start-netem") {
      OptionReader fields = fault_value("netem", value, f);
      return start_qdisc("netem", value, fields, netem_arguments(fields));
    }
    if (f == "start-bandwidth") {
      OptionReader fields = fault_value("bandwidth", value, f);
      return start_qdisc("tbf", value, fields,
                         {"rate", fields.get<std::string>("rate"), "burst", "32kbit", "latency", "400ms"});
    }
    // Stops: remove what the matching start installed, on every node.
    std::string script = std::string(kPath);
    if (f == "stop-partition")
      script += "iptables -w -F FAULTLINE-PARTITION 2>/dev/null; true";
    else if (f == "stop-loss")
      script += "iptables -w -F FAULTLINE-LOSS 2>/dev/null; true";
    else
      script += remove_qdisc_script(f == "stop-netem" ? "netem" : "tbf");
    nodes_.on_each(names, [&](Session& s) { return Json(s.check_script(script)); });
    return {{"healed", names}};
  }

  // With none of delay, loss, duplicate or reorder given: the default delay and jitter.
  static std::vector<std::string> netem_arguments(const OptionReader& fields) {
    std::vector<std::string> args;
    if (fields.has("delay-ms")) {
      args = {"delay", number(fields.get<double>("delay-ms")) + "ms"};
      if (fields.has("jitter-ms")) args.push_back(number(fields.get<double>("jitter-ms")) + "ms");
    }
    for (const char* key : {"loss", "duplicate", "reorder"})
      if (fields.has(key)) args.insert(args.end(), {key, number(fields.get<double>(key) * 100) + "%"});
    if (args.empty())
      args = {"delay", number(fields.get<double>("delay-ms")) + "ms", number(fields.get<double>("jitter-ms")) + "ms"};
    return args;
  }

  Json start_qdisc(const std::string& kind, const Json& value, const OptionReader& fields,
                   const std::vector<std::string>& arguments) {
    auto targets = nodes_.select(fields.get<Json>("nodes"), rng_);
    nodes_.on_each(targets, [&](Session& s) {
      std::vector<std::string> argv = {"tc",   "qdisc",  "replace", "dev", network(s.node()).device,
                                       "root", "handle", kHandle,   kind};
      argv.insert(argv.end(), arguments.begin(), arguments.end());
      ExecResult r = s.exec_script(std::string(kPath) + shell_join(argv));
      if (r.exit_code != 0 && r.err.find("kind is unknown") != std::string::npos)
        fail(ErrorCode::kRemote, kind + " not available on " + s.node() + " (its kernel lacks sch_" + kind + ")");
      if (r.exit_code != 0) fail(ErrorCode::kRemote, s.node() + ": `" + shell_join(argv) + "` failed: " + r.err);
      return Json(nullptr);
    });
    Json done = value.is_object() ? value : Json::object();
    done["nodes"] = targets;
    done["tc"] = kind;
    return done;
  }

  static std::string remove_qdisc_script(const std::string& kind) {
    return "tc qdisc show 2>/dev/null | while read -r _ k handle _ dev _; do\n"
           "  [ \"$k\" = " +
           kind + " ] && [ \"$handle\" = " + kHandle + " ] && tc qdisc del dev \"$dev\" root handle " + kHandle +
           "\n"
           "done; true";
  }

  // The node's network, asked on first use (setup asks every node's).
  const NodeNetwork& network(const std::string& node) {
    std::lock_guard lock(mutex_);
    auto it = networks_.find(node);
    if (it == networks_.end()) it = networks_.emplace(node, probe_network(nodes_.at(node))).first;
    return it->second;
  }

  NemesisNodes nodes_;
  Rng rng_;
  std::mutex mutex_;
  std::map<std::string, NodeNetwork> networks_;
};

}  // namespace

std::unique_ptr<Nemesis> network_nemesis(const NemesisNodes& nodes, uint64_t seed) {
  return std::make_unique<NetworkNemesis>(nodes, seed);
}

}  // namespace faultline
