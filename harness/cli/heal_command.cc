// `faultline heal`: undo every fault faultline may have left on a cluster (after a crashed run, or
// by hand) and report what was found on each node.
#include <iostream>
#include <memory>

#include "harness/cli/commands.h"
#include "harness/control/fan_out.h"
#include "harness/control/remote.h"
#include "harness/core/error.h"
#include "harness/sandbox/sandbox.h"
#include "nemesis/heal.h"

namespace faultline {

void add_heal_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string nodes_file;
    bool sandbox = false;
    std::string sandbox_name = "fl";
  };
  auto options = std::make_shared<Options>();
  CLI::App* heal = app.add_subcommand("heal", "Remove faultline's faults from every node and report what was found");
  auto* file =
      heal->add_option("--nodes-file", options->nodes_file, "Nodes file (one `host[:port] key=value…` per line)");
  auto* sandbox = heal->add_flag("--sandbox", options->sandbox, "Heal the local sandbox");
  heal->add_option("--sandbox-name", options->sandbox_name, "Which sandbox")->capture_default_str()->needs(sandbox);
  file->excludes(sandbox);
  heal->callback([options, &exit_code] {
    if (options->nodes_file.empty() && !options->sandbox)
      fail(ErrorCode::kBadInput, "faultline heal needs --nodes-file FILE or --sandbox");
    auto nodes = options->sandbox ? load_sandbox_nodes(default_sandbox_dir(options->sandbox_name))
                                  : read_nodes_file(options->nodes_file, NodeSpec{});
    auto outcomes = fan_out(nodes, [](const NodeSpec& node) { return heal_node(*open_session(node)); });
    exit_code = 0;
    for (const auto& outcome : outcomes) {
      if (outcome.error) {
        std::cout << outcome.node << ": FAILED: " << outcome.error->what() << "\n";
        exit_code = 255;
      } else if (outcome.value->empty()) {
        std::cout << outcome.node << ": clean\n";
      } else {
        for (const auto& line : *outcome.value) std::cout << outcome.node << ": " << line << "\n";
      }
    }
  });
}

}  // namespace faultline
