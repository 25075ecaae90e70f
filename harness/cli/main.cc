// faultline: the command-line entry point. Each subcommand lives in its own file; this one wires
// them together and turns errors into one line and an exit code (DESIGN.md "exit codes").
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "harness/cli/commands.h"
#include "harness/cli/sandbox_command.h"
#include "harness/core/error.h"

int main(int argc, char** argv) {
  using namespace faultline;
  CLI::App app{"faultline: failure-injection testing for distributed systems"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  int exit_code = 0;
  add_test_command(app, exit_code);
  add_analyze_command(app, exit_code);
  add_check_command(app, exit_code);
  add_report_command(app, exit_code);
  add_export_command(app, exit_code);
  add_sandbox_command(app, exit_code);
  add_heal_command(app, exit_code);
  add_campaign_command(app, exit_code);
  add_serve_command(app, exit_code);
  add_nodes_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "faultline: " << e.what() << " (see faultline --help)\n";
    return 254;
  } catch (const Error& e) {
    std::cerr << "faultline: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "faultline: internal error: " << e.what() << "\n";
    return 255;
  }
  return exit_code;
}
