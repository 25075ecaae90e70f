// VM nodes: each node a qemu VM with its own kernel, booted from a small initramfs the project
// builds (cmake/vm-initramfs.sh) with the controller's root shared read-only over virtio-9p under
// a writable tmpfs overlay, so every program installed here runs on the nodes. Each node has its
// own clock, network stack, hostname, sshd, and storage on a virtio disk image at kNodeStorage.
// The bridge, the taps and the qemu processes live in the network namespace <name>-net; the
// controller reaches the nodes over a veth pair (<name>-br on this side), as with namespace nodes.
#pragma once

#include <string>

#include "harness/sandbox/sandbox_detail.h"

namespace faultline::detail {

// Throws Error(kNotFound) naming the package when qemu, the kernel or busybox is missing.
void require_vm_tools();
// "kvm" when a guest boots under KVM within a few seconds, else "tcg"; forced by options.accel.
std::string choose_accel(const Layout& layout);
// Creates the namespace, bridge, taps, disk images and boots every VM; waits for every sshd.
void vm_up(const Layout& layout);
// Kills the VMs (no sync), removes the namespace and the host's veth. Safe any time.
void vm_tear_down(const Layout& layout);
// Every node's qemu is running.
bool vm_running(const Layout& layout);
// Node i's qemu is running.
bool vm_node_running(const Layout& layout, int i);
// The sandbox in layout.dir was made with --vm.
bool is_vm_sandbox(const Layout& layout);
// Kills node i's VM without sync and boots it again on the same disk image.
void vm_restart_node(const Layout& layout, int i);
// Kills node i's VM without sync (a power cut); vm_boot_node starts it again.
void vm_power_off(const Layout& layout, int i);
void vm_boot_node(const Layout& layout, int i);

}  // namespace faultline::detail
