// `faultline sandbox up|down|status`: the local cluster (harness/sandbox/sandbox.h).
#pragma once

#include <CLI/CLI.hpp>

namespace faultline {

// Adds the `sandbox` subcommand to app; its subcommands set exit_code (0 on success, and for
// status 0 only when every node is healthy, else 255). Errors are thrown as faultline::Error.
void add_sandbox_command(CLI::App& app, int& exit_code);

}  // namespace faultline
