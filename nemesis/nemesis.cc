#include "nemesis/nemesis.h"

#include "harness/core/error.h"

namespace faultline {
namespace {

class NoopNemesis : public Nemesis {
 public:
  Op invoke(const Op& op) override { return complete(op, OpType::kInfo, "no-op"); }
  std::set<std::string> fs() const override { return {}; }
};

class ComposedNemesis : public Nemesis {
 public:
  explicit ComposedNemesis(std::vector<std::unique_ptr<Nemesis>> parts) : parts_(std::move(parts)) {}
  void preflight() override {
    for (auto& p : parts_) p->preflight();
  }
  void setup() override {
    for (auto& p : parts_) p->setup();
  }
  Op invoke(const Op& op) override {
    for (auto& p : parts_)
      if (p->fs().count(op.f)) return p->invoke(op);
    fail(ErrorCode::kInternal, "no nemesis handles f \"" + op.f + "\"");
  }
  void teardown() override {
    // Heal every part even when one fails, then report the first failure.
    std::exception_ptr first;
    for (auto& p : parts_) {
      try {
        p->teardown();
      } catch (...) {
        if (!first) first = std::current_exception();
      }
    }
    if (first) std::rethrow_exception(first);
  }
  std::set<std::string> fs() const override {
    std::set<std::string> all;
    for (auto& p : parts_) all.merge(p->fs());
    return all;
  }

 private:
  std::vector<std::unique_ptr<Nemesis>> parts_;
};

}  // namespace

std::unique_ptr<Nemesis> noop_nemesis() { return std::make_unique<NoopNemesis>(); }
std::unique_ptr<Nemesis> compose_nemeses(std::vector<std::unique_ptr<Nemesis>> parts) {
  return std::make_unique<ComposedNemesis>(std::move(parts));
}

}  // namespace faultline
