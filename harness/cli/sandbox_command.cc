#include "harness/cli/sandbox_command.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <sstream>

#include "harness/sandbox/sandbox.h"

namespace faultline {

namespace {

void add_common_options(CLI::App* cmd, SandboxOptions& options) {
  cmd->add_option("--name", options.name, "Sandbox name: prefix of its namespaces and links")->capture_default_str();
  cmd->add_option("--dir", options.dir, "State directory (default /var/lib/faultline/sandbox/NAME)");
}

void print_status(const std::vector<NodeStatus>& statuses, bool with_processes) {
  for (const auto& node : statuses) {
    std::cout << node.name << "\t" << node.address << "\t" << (node.healthy ? "sshd ok" : "DOWN: " + node.problem)
              << "\n";
    if (!with_processes) continue;
    std::istringstream lines(node.processes);
    // One line per process, cut to a terminal's width: full command lines are in `ps` on the node.
    for (std::string line; std::getline(lines, line);)
      std::cout << "    " << (line.size() > 110 ? line.substr(0, 109) + "…" : line) << "\n";
  }
}

}  // namespace

void add_sandbox_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<SandboxOptions>();
  CLI::App* sandbox = app.add_subcommand("sandbox", "A local cluster of namespace nodes with sshd (root)");
  sandbox->require_subcommand(1);

  CLI::App* up = sandbox->add_subcommand("up", "Create the sandbox (idempotent) and wait for every sshd");
  add_common_options(up, *options);
  up->add_option("--nodes,-n", options->nodes, "Number of nodes, named n1..nN")->capture_default_str();
  up->add_option("--subnet", options->subnet, "A free IPv4 /24 for the nodes")->capture_default_str();
  up->add_flag("--vm", options->vm, "Nodes are qemu VMs with their own kernel, clock and disk");
  up->add_option("--accel", options->accel, "VM acceleration: kvm, tcg, or auto (a short probe)")
      ->check(CLI::IsMember({"auto", "kvm", "tcg"}))
      ->capture_default_str();
  up->add_option("--memory", options->memory_mb, "VM memory in MB")
      ->check(CLI::Range(128, 8192))
      ->capture_default_str();
  up->callback([options, &exit_code] {
    auto start = std::chrono::steady_clock::now();
    sandbox_up(*options);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    SandboxOptions resolved = *options;
    if (resolved.dir.empty()) resolved.dir = default_sandbox_dir(resolved.name);
    if (options->vm) std::cout << "VM acceleration: " << sandbox_vm_accel(resolved.dir) << "\n";
    std::cout << "sandbox " << options->name << " up: " << options->nodes << (options->vm ? " VM" : "") << " nodes in "
              << ms.count() << " ms; nodes file " << (resolved.dir / "nodes").string() << ", ssh -F "
              << (resolved.dir / "ssh_config").string() << " n1\n";
    exit_code = 0;
  });

  CLI::App* down = sandbox->add_subcommand("down", "Kill every sandbox process; remove namespaces, links, state");
  add_common_options(down, *options);
  down->callback([options, &exit_code] {
    sandbox_down(*options);
    std::cout << "sandbox " << options->name << " down\n";
    exit_code = 0;
  });

  CLI::App* status = sandbox->add_subcommand("status", "Each node's address, sshd health and processes");
  add_common_options(status, *options);
  auto brief = std::make_shared<bool>(false);
  status->add_flag("--brief", *brief, "Leave out the process lists");
  status->callback([options, brief, &exit_code] {
    auto statuses = sandbox_status(*options);
    print_status(statuses, !*brief);
    exit_code = 0;
    for (const auto& node : statuses) {
      if (!node.healthy) exit_code = 255;
    }
  });
}

}  // namespace faultline
