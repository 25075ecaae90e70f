#include "harness/control/clock_launch.h"

#include "harness/control/node_layout.h"
#include "harness/control/shell.h"

namespace faultline {

const std::string kFaketimeFile = kNemesisStateDir + "/faketime";

std::vector<std::pair<std::string, std::string>> faketime_environment() {
  return {{"LD_PRELOAD", kLibFaketime},
          {"FAKETIME_TIMESTAMP_FILE", kFaketimeFile},
          {"FAKETIME_NO_CACHE", "1"},
          {"FAKETIME_DONT_FAKE_MONOTONIC", "1"}};
}

std::string faketime_prefix() {
  std::vector<std::string> argv = {"env"};
  for (const auto& [name, value] : faketime_environment()) argv.push_back(name + "=" + value);
  return shell_join(argv) + " ";
}

}  // namespace faultline
