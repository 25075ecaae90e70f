#include "nemesis/package.h"

#include "harness/core/error.h"

namespace faultline {

std::vector<std::string> fault_names() { return {}; }

NemesisPackage make_nemesis_package(const NemesisConfig& config) {
  if (!config.faults.empty())
    fail(ErrorCode::kBadInput, "no fault kinds are available in this build");
  return {noop_nemesis(), nullptr, nullptr};
}

}  // namespace faultline
