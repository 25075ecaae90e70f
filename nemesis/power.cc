#include "nemesis/power.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "harness/core/error.h"

namespace faultline {

namespace {

// Idempotent: after a power cycle the session's old connection looks alive until a command is sent
// over it, and the node's new kernel answers that with a reset.
std::string boot_id(Session& s) {
  std::string id =
      s.check({"cat", "/proc/sys/kernel/random/boot_id"}, {.timeout = std::chrono::seconds(30), .idempotent = true});
  return id.substr(0, id.find('\n'));
}

class PowerNemesis : public Nemesis {
 public:
  PowerNemesis(NemesisNodes nodes, Daemon& daemon, PowerSwitch* power, uint64_t seed)
      : nodes_(std::move(nodes)), daemon_(daemon), power_(power), rng_(Rng(seed).fork("power-nemesis")) {}

  void setup() override {
    if (!power_)
      fail(ErrorCode::kBadInput,
           "the power fault cuts a VM's power, and " + nodes_.names().at(0) +
               " is not a VM: run on VM nodes (faultline sandbox up --vm) or drop power from --nemesis");
  }

  void teardown() override { perform("power-on", Json("off")); }

  std::set<std::string> fs() const override { return {"power-off", "power-on"}; }

  Op invoke(const Op& op) override { return complete(op, OpType::kInfo, perform(op.f, op.value)); }

 private:
  std::vector<std::string> targets(const Json& value, const char* fallback) {
    std::lock_guard lock(mutex_);
    return nodes_.chosen(value, fallback, rng_, {{"off", nodes_.powered_off_nodes()}},
                         [this] { return daemon_.primaries(nodes_.sessions()); });
  }

  // A power-on reaches nodes that are off, which selectors pass by: a list of names is read among
  // them, anything else means all of them ("off").
  std::vector<std::string> power_on_targets(const Json& value) {
    const Json& selector = value.is_object() && value.contains("nodes") ? value["nodes"] : value;
    if (!selector.is_array()) return targets(value, "off");
    std::set<std::string> off = nodes_.powered_off_nodes();
    std::vector<std::string> chosen;
    for (const auto& name : nodes_.names()) {
      bool named = std::find(selector.begin(), selector.end(), Json(name)) != selector.end();
      if (named && off.count(name)) chosen.push_back(name);
    }
    return chosen;
  }

  Json perform(const std::string& f, const Json& value) {
    if (f == "power-off") {
      auto chosen = targets(value, "one");
      Json boots = nodes_.on_each(chosen, [&](Session& s) {
        std::string id = boot_id(s);
        power_->off(s.node());
        nodes_.set_powered(s.node(), false);
        std::lock_guard lock(mutex_);
        boot_ids_[s.node()] = id;
        return Json(id);
      });
      return {{"powered-off", chosen}, {"boot-ids", boots}};
    }
    auto chosen = power_on_targets(value);
    for (const auto& node : chosen) nodes_.set_powered(node, true);
    // What the power-on measured: the node runs a new kernel (boot id changed) and the target was
    // started on its disk.
    Json rebooted = nodes_.on_each(chosen, [&](Session& s) {
      power_->on(s.node());
      std::string id = boot_id(s);
      daemon_.start(s);
      std::lock_guard lock(mutex_);
      bool new_kernel = id != boot_ids_[s.node()];
      return Json(new_kernel);
    });
    return {{"powered-on", chosen}, {"new-boot", rebooted}};
  }

  NemesisNodes nodes_;
  Daemon& daemon_;
  PowerSwitch* power_;
  Rng rng_;
  std::mutex mutex_;
  std::map<std::string, std::string> boot_ids_;
};

}  // namespace

std::unique_ptr<Nemesis> power_nemesis(const NemesisNodes& nodes, Daemon& daemon, PowerSwitch* power, uint64_t seed) {
  return std::make_unique<PowerNemesis>(nodes, daemon, power, seed);
}

}  // namespace faultline
