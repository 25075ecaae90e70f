#include "nemesis/power.h"

#include <map>
#include <mutex>
#include <set>

#include "harness/core/error.h"

namespace faultline {

namespace {

std::string boot_id(Session& s) {
  std::string id = s.check({"cat", "/proc/sys/kernel/random/boot_id"}, {.timeout = std::chrono::seconds(30)});
  return id.substr(0, id.find('\n'));
}

class PowerNemesis : public Nemesis {
 public:
  PowerNemesis(NemesisNodes nodes, Daemon& daemon, PowerSwitch* power, uint64_t seed)
      : nodes_(std::move(nodes)), daemon_(daemon), power_(power), rng_(Rng(seed).fork("power-nemesis")) {}

  void setup() override {
    if (!power_)
      fail(ErrorCode::kBadInput, "the power fault cuts a VM's power, and " + nodes_.names().at(0) +
                                     " is not a VM: run on VM nodes (faultline sandbox up --vm) or drop power from --nemesis");
  }

  void teardown() override { perform("power-on", Json("off")); }

  std::set<std::string> fs() const override { return {"power-off", "power-on"}; }

  Op invoke(const Op& op) override {
    Op done = op;
    done.type = OpType::kInfo;
    done.value = perform(op.f, op.value);
    return done;
  }

 private:
  std::vector<std::string> targets(const Json& value, const char* fallback) {
    std::lock_guard lock(mutex_);
    return nodes_.chosen(value, fallback, rng_, {{"off", off_}}, [this] { return daemon_.primaries(nodes_.sessions()); });
  }

  Json perform(const std::string& f, const Json& value) {
    if (f == "power-off") {
      auto chosen = targets(value, "one");
      Json boots = nodes_.on_each(chosen, [&](Session& s) {
        std::string id = boot_id(s);
        power_->off(s.node());
        nodes_.set_powered(s.node(), false);
        std::lock_guard lock(mutex_);
        off_.insert(s.node());
        boot_ids_[s.node()] = id;
        return Json(id);
      });
      return {{"powered-off", chosen}, {"boot-ids", boots}};
    }
    auto chosen = targets(value, "off");
    for (const auto& node : chosen) nodes_.set_powered(node, true);
    // What the power-on measured: the node runs a new kernel (boot id changed) and the target was
    // started on its disk.
    Json rebooted = nodes_.on_each(chosen, [&](Session& s) {
      power_->on(s.node());
      std::string id = boot_id(s);
      daemon_.start(s);
      std::lock_guard lock(mutex_);
      bool new_kernel = id != boot_ids_[s.node()];
      off_.erase(s.node());
      return Json(new_kernel);
    });
    return {{"powered-on", chosen}, {"new-boot", rebooted}};
  }

  NemesisNodes nodes_;
  Daemon& daemon_;
  PowerSwitch* power_;
  Rng rng_;
  std::mutex mutex_;
  std::set<std::string> off_;
  std::map<std::string, std::string> boot_ids_;
};

}  // namespace

std::unique_ptr<Nemesis> power_nemesis(const NemesisNodes& nodes, Daemon& daemon, PowerSwitch* power, uint64_t seed) {
  return std::make_unique<PowerNemesis>(nodes, daemon, power, seed);
}

}  // namespace faultline
