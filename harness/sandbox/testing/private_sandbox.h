// The private sandbox of one e2e test binary: its own name and subnet, so test binaries never share
// nodes, brought up before the binary's first case and down after its last.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/control/nodes.h"
#include "harness/sandbox/sandbox.h"

namespace faultline {

class PrivateSandbox : public testing::Environment {
 public:
  explicit PrivateSandbox(SandboxOptions options) : options_(std::move(options)) {}
  void SetUp() override { sandbox_up(options_); }
  void TearDown() override { sandbox_down(options_); }

  const SandboxOptions& options() const { return options_; }
  std::vector<NodeSpec> nodes() const { return load_sandbox_nodes(default_sandbox_dir(options_.name)); }

 private:
  SandboxOptions options_;
};

// Registers the binary's private sandbox (once, at namespace scope); gtest owns it.
PrivateSandbox& add_private_sandbox(const std::string& name, const std::string& subnet, int nodes = 5);

}  // namespace faultline
