#include "harness/sandbox/testing/private_sandbox.h"

namespace faultline {

PrivateSandbox& add_private_sandbox(const std::string& name, const std::string& subnet, int nodes) {
  SandboxOptions options;
  options.name = name;
  options.subnet = subnet;
  options.nodes = nodes;
  auto* sandbox = new PrivateSandbox(options);
  testing::AddGlobalTestEnvironment(sandbox);
  return *sandbox;
}

}  // namespace faultline
