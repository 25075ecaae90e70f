// `faultline nodes check`: the checks a test makes on its nodes before it starts (reachable over
// SSH, sudo works, iptables/tc/date present, clock offset), one line per node.
#include <cstdlib>
#include <iostream>
#include <memory>

#include "harness/cli/commands.h"
#include "harness/control/node_check.h"
#include "harness/core/error.h"
#include "harness/sandbox/sandbox.h"

namespace faultline {

void add_nodes_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string nodes_file;
    bool sandbox = false;
    std::string sandbox_name = "fl";
    std::string user, key, password_env;
  };
  auto options = std::make_shared<Options>();
  CLI::App* nodes = app.add_subcommand("nodes", "Look at the nodes a test would run on");
  nodes->require_subcommand(1);
  CLI::App* check =
      nodes->add_subcommand("check", "Check every node as a test does before it starts; one line per node");
  auto* file =
      check->add_option("--nodes-file", options->nodes_file, "Nodes file (one `host[:port] key=value…` per line)");
  auto* sandbox = check->add_flag("--sandbox", options->sandbox, "Check the local sandbox's nodes");
  check->add_option("--sandbox-name", options->sandbox_name, "Which sandbox")->capture_default_str()->needs(sandbox);
  check->add_option("--ssh-user", options->user, "SSH user for lines of the nodes file without user=")->needs(file);
  check->add_option("--ssh-key", options->key, "Private key for lines without key=")->needs(file);
  check
      ->add_option("--ssh-password-env", options->password_env,
                   "Environment variable holding the SSH (and sudo) password; never stored")
      ->needs(file);
  file->excludes(sandbox);
  check->callback([options, &exit_code] {
    if (options->nodes_file.empty() && !options->sandbox)
      fail(ErrorCode::kBadInput, "faultline nodes check needs --nodes-file FILE or --sandbox");
    NodeSpec defaults;
    if (!options->user.empty()) defaults.user = options->user;
    defaults.key_path = options->key;
    if (!options->password_env.empty()) {
      const char* value = std::getenv(options->password_env.c_str());
      if (!value)
        fail(ErrorCode::kBadInput, "--ssh-password-env: environment variable " + options->password_env + " is not set");
      defaults.password = value;
    }
    auto specs = options->sandbox ? load_sandbox_nodes(default_sandbox_dir(options->sandbox_name))
                                  : read_nodes_file(options->nodes_file, defaults);
    exit_code = 0;
    for (const auto& node : check_nodes(specs)) {
      std::cout << describe(node) << "\n";
      if (!node.ok()) exit_code = 255;
    }
  });
}

}  // namespace faultline
