#include "nemesis/heal.h"

#include <sstream>

#include "nemesis/clock.h"
#include "nemesis/net.h"
#include "nemesis/process.h"

namespace faultline {

std::vector<std::string> heal_node(Session& node) {
  // One command per node: each part runs in its own subshell so one part's `set -e` or failure
  // cannot skip the others.
  std::string script;
  for (const auto& part : {network_heal_script(), process_heal_script(), clock_heal_script()})
    script += "(\n" + part + "\n)\n";
  std::istringstream out(node.check_script(script));
  std::vector<std::string> lines;
  for (std::string line; std::getline(out, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace faultline
