// The subcommands of `faultline`. Each adds itself to the app; its callback runs the command and
// sets `exit_code`. Errors are thrown as faultline::Error and reported by main.
#pragma once

#include <CLI/CLI.hpp>

namespace faultline {

void add_test_command(CLI::App& app, int& exit_code);
void add_analyze_command(CLI::App& app, int& exit_code);
void add_check_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_heal_command(CLI::App& app, int& exit_code);
void add_campaign_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_nodes_command(CLI::App& app, int& exit_code);

}  // namespace faultline
