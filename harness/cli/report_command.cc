#include <iostream>

#include "harness/cli/commands.h"
#include "results/report.h"

namespace faultline {

void add_report_command(CLI::App& app, int& exit_code) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("report", "Write RUN_DIR/report.html from a stored run");
  cmd->add_option("RUN_DIR", *dir, "Run directory (e.g. store/latest)")->required();
  cmd->callback([dir, &exit_code] {
    write_report(*dir);
    std::cout << (std::filesystem::path(*dir) / "report.html").string() << "\n";
    exit_code = 0;
  });
}

}  // namespace faultline
