// The sandbox: a local cluster on this Linux machine (root only). Every node is a network namespace
// on a shared bridge with its own PID, mount and UTS namespaces, hostname, /tmp, /run, home
// directory (over /root), writable storage at kNodeStorage, /etc/hosts naming all nodes, and its
// own sshd on port 22. The harness reaches nodes over SSH with strict host-key checking, exactly as
// it reaches real hosts.
//
// State lives in a directory (default /var/lib/faultline/sandbox/<name>): `nodes` (a nodes file for
// --nodes-file), `ssh_config` (ssh -F), `known_hosts`, the client key `id_ed25519`, and per node
// its directory <node>/ with its sshd config, host key, home, storage and console.log.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harness/control/node_layout.h"
#include "harness/control/nodes.h"
#include "harness/control/power_switch.h"

namespace faultline {

struct SandboxOptions {
  std::string name = "fl";              // prefix of the bridge, namespaces and links: [a-z][a-z0-9]{0,5}
  int nodes = 5;                        // named n1..nN
  std::string subnet = "10.77.0.0/24";  // a /24 of no existing route; host .1, node i is .(10+i)
  std::filesystem::path dir;            // state directory; empty: default_sandbox_dir(name)
  bool vm = false;                      // nodes are VMs with their own kernel (vm.h) instead of namespaces
  std::string accel = "auto";           // VMs: kvm, tcg, or auto (a short probe picks)
  int memory_mb = 512;                  // VMs: memory of each node
};

// /var/lib/faultline/sandbox/<name>
std::filesystem::path default_sandbox_dir(const std::string& name = "fl");

// Creates the sandbox and waits until every node's sshd answers. Idempotent: a healthy sandbox
// with the same options is left alone; anything else by this name (a crashed or half-made one) is
// torn down first. Throws Error: kBadInput (not root, bad options, subnet taken), kNotFound (a
// tool is missing, with the package to install).
void sandbox_up(const SandboxOptions& options);

// Kills every process in the sandbox's namespaces, removes its namespaces, links and state
// directory. Touches nothing that does not carry the sandbox's name. Safe to run any time.
void sandbox_down(const SandboxOptions& options);

struct NodeStatus {
  std::string name;
  std::string address;
  bool healthy = false;   // sshd answered a command over SSH
  std::string problem;    // why not, one line
  std::string processes;  // `ps` output of the node: one "pid command" per line
};

// The state of every node, queried in parallel. Throws Error(kNotFound) if no sandbox is up.
std::vector<NodeStatus> sandbox_status(const SandboxOptions& options);

// The nodes of the sandbox whose state directory is `dir`, ready for open_session (strict host
// keys, the sandbox's client key). Throws Error(kNotFound) if there is none.
std::vector<NodeSpec> load_sandbox_nodes(const std::filesystem::path& dir = default_sandbox_dir());

// "kvm" or "tcg" for a VM sandbox (what `up` chose), empty for namespace nodes.
std::string sandbox_vm_accel(const std::filesystem::path& dir);

// The options the sandbox in `dir` was made with. Throws Error(kNotFound) if there is none.
SandboxOptions sandbox_options_at(const std::filesystem::path& dir);

// A power cut of a VM node: its qemu is killed without any sync, so what the guest had not written
// back to its disk image is lost. power_on boots it again on the same disk and returns once its
// sshd answers. Both throw Error(kBadInput) naming the node when the sandbox is not made of VMs.
void power_off_sandbox_node(const std::filesystem::path& dir, const std::string& node);
void power_on_sandbox_node(const std::filesystem::path& dir, const std::string& node);
// The two above as the power switch of the VM sandbox in `dir`, for the power fault.
std::unique_ptr<PowerSwitch> vm_power_switch(const std::filesystem::path& dir);

// Reboots one node: kills every process in it and starts it again with a fresh sshd (storage is
// kept). Returns once sshd accepts connections.
void restart_sandbox_node(const SandboxOptions& options, const std::string& node);

// A sandbox name and subnet held by this process, so that several sandboxes can run side by side
// on one machine (several campaign cells per worker). Held through an flock on a file in
// /run/lock, so a holder that dies frees its slot; released when the object is destroyed.
class SandboxSlot {
 public:
  SandboxSlot(std::string name, std::string subnet, int fd)
      : name_(std::move(name)), subnet_(std::move(subnet)), fd_(fd) {}
  ~SandboxSlot();
  SandboxSlot(const SandboxSlot&) = delete;
  SandboxSlot& operator=(const SandboxSlot&) = delete;
  const std::string& name() const { return name_; }
  const std::string& subnet() const { return subnet_; }

 private:
  std::string name_, subnet_;
  int fd_;
};

// The first free slot of a pool of `count`: slot i (0-based) is named `prefix` (i = 0) or
// prefix + (i + 1), with the /24 that is the i-th after `first_subnet`. A slot is free when no
// process holds its lock and no route of this machine (other than its own bridge's) covers its
// subnet. Waits for a slot up to `wait_seconds`; then throws Error(kUnavailable).
std::unique_ptr<SandboxSlot> allocate_sandbox(const std::string& prefix, const std::string& first_subnet, int count,
                                              double wait_seconds = 0);

}  // namespace faultline
