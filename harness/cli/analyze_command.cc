#include <iostream>

#include "harness/cli/commands.h"
#include "harness/run/runner.h"

namespace faultline {

void add_analyze_command(CLI::App& app, int& exit_code) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("analyze", "Re-check a stored run: rewrite results.json from its history");
  cmd->add_option("RUN_DIR", *dir, "Run directory (e.g. store/latest)")->required();
  cmd->callback([dir, &exit_code] {
    RunOutcome out = analyze_run(*dir);
    std::cout << out.summary << "\n";
    exit_code = out.exit_code;
  });
}

}  // namespace faultline
