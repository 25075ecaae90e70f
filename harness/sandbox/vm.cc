#include "harness/sandbox/vm.h"

#include <signal.h>

#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <thread>
#include <tuple>

#include "harness/control/fan_out.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "harness/core/files.h"

#ifndef FAULTLINE_SOURCE_DIR
#define FAULTLINE_SOURCE_DIR "."
#endif

namespace faultline::detail {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// A TCG guest needs ~5 s to reach userspace on an idle machine; a loaded one can take much longer.
constexpr auto kBootTimeout = 180s;
const fs::path kVmPackages = "/var/lib/faultline/vm-packages";

std::string vm_netns(const Layout& layout) { return layout.options.name + "-net"; }
std::string tap(int i) { return "t" + std::to_string(i); }
fs::path initramfs_script() { return fs::path(FAULTLINE_SOURCE_DIR) / "cmake" / "vm-initramfs.sh"; }

// The guest's PID 1 after switch_root: the node's own mounts, network, users and sshd. Node
// details come on the kernel command line (fl.node, fl.ip, fl.dir).
constexpr const char* kGuestInit = R"INIT(#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /dev/pts /dev/shm
# What udev would add: bash's process substitution needs /dev/fd.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
# A home of its own: the controller's root dotfiles may run slow setup in every shell.
mount -t tmpfs -o mode=700 tmpfs /root
arg() { sed -n "s/.* fl\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
node=$(arg node); ip=$(arg ip); dir=$(arg dir)
hostname "$node"
echo "$node" > /etc/hostname
cp "$dir/hosts" /etc/hosts
for m in virtio_net virtio_blk ext4; do modprobe $m; done
ip link set lo up
ip addr add "$ip/24" dev eth0
ip link set eth0 up
mkdir -p /var/lib/faultline/node
mount -o noatime /dev/vda /var/lib/faultline/node || echo "faultline: no storage disk" >&2
# Users for real-host paths: admin (sudo without password), pwuser (sudo with the sandbox's
# password), nosudo (no sudo rights). All log in with the sandbox's client key.
cp "$dir/authorized_keys" /etc/faultline-authorized_keys
chmod 644 /etc/faultline-authorized_keys
password=$(cat "$dir/password")
for u in admin pwuser nosudo; do
  useradd -m -s /bin/sh "$u"
  echo "$u:$password" | chpasswd
done
mkdir -p /etc/sudoers.d
echo "admin ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/faultline-admin
echo "pwuser ALL=(ALL) ALL" > /etc/sudoers.d/faultline-pwuser
chmod 440 /etc/sudoers.d/faultline-*
echo "root:$password" | chpasswd
mkdir -p /run/sshd
# NTP, as real hosts run it: chronyd from Debian's package (unpacked by the sandbox, never installed
# on the controller), synced to the controller and stepping whenever it is 0.1 s off, so a TCG
# guest's clock does not drift away. The clock fault stops it first and starts it again on reset.
if [ -x "$dir/chrony/usr/sbin/chronyd" ]; then
  cp "$dir/chrony/usr/sbin/chronyd" /usr/sbin/chronyd
  cp "$dir/chrony/usr/bin/chronyc" /usr/bin/chronyc
  mkdir -p /etc/chrony /run/chrony /var/lib/chrony
  printf 'server %s iburst minpoll -2 maxpoll 0\nmakestep 0.1 -1\npidfile /run/chrony/chronyd.pid\n' "$(arg ntp)" > /etc/chrony/chrony.conf
  chronyd -u root -f /etc/chrony/chrony.conf || echo "faultline: chronyd did not start" >&2
fi
/usr/sbin/sshd -e -f "$dir/$node/sshd_config" && echo "faultline: node $node up"
# PID 1 reaps orphans: the shell collects every exited child while it waits for sleep.
while :; do sleep 60; done
)INIT";

fs::path kernel_of(const Layout& layout) {
  std::string kernel = file_text(layout.dir / "kernel");
  while (!kernel.empty() && (kernel.back() == '\n' || kernel.back() == ' ')) kernel.pop_back();
  return kernel;
}

std::string mac(const Layout& layout, int i) {
  return fmt::format("52:54:{:02x}:{:02x}:{:02x}:{:02x}", (layout.network >> 24) & 0xff, (layout.network >> 16) & 0xff,
                     (layout.network >> 8) & 0xff, (10 + i) & 0xff);
}

std::vector<std::string> qemu_argv(const Layout& layout, const std::string& accel) {
  return {"qemu-system-x86_64",
          "-machine",
          "pc,accel=" + accel,
          "-cpu",
          accel == "kvm" ? "host" : "max",
          "-smp",
          "1",
          "-nodefaults",
          "-no-user-config",
          "-display",
          "none",
          "-no-reboot",
          "-kernel",
          kernel_of(layout).string(),
          "-initrd",
          (layout.dir / "initramfs.cpio.gz").string()};
}

// Boots the initramfs far enough to print a marker; KVM passes if it does so within a few seconds.
bool kvm_boots(const Layout& layout) {
  if (access("/dev/kvm", R_OK | W_OK) != 0) return false;
  auto argv = qemu_argv(layout, "kvm");
  argv.insert(argv.end(), {"-m", "256", "-serial", "stdio", "-append", "console=ttyS0 quiet panic=-1 fl.probe"});
  auto result = host().exec_script("timeout 6 " + shell_join(argv) + " 2>&1");
  return result.out.find("faultline-probe-ok") != std::string::npos;
}

std::string node_accel(const Layout& layout) {
  std::string accel = file_text(layout.dir / "accel");
  return accel.empty() ? "tcg" : accel.substr(0, accel.find('\n'));
}

// Debian's chrony package, downloaded by cmake/install-deps.sh and unpacked per sandbox: the nodes
// run its chronyd as their NTP client, and the controller one with -x as their server, which
// serves this machine's clock and never adjusts it.
fs::path chrony_package() {
  std::error_code none;  // no directory: no package
  for (const auto& entry : fs::directory_iterator(kVmPackages, none))
    if (entry.path().filename().string().rfind("chrony_", 0) == 0) return entry.path();
  return {};
}

void start_ntp_server(const Layout& layout) {
  fs::path deb = chrony_package();
  if (deb.empty()) {
    std::cerr << "faultline: no chrony package in " << kVmPackages
              << " (run cmake/install-deps.sh): VM nodes run without NTP\n";
    return;
  }
  fs::path root = layout.dir / "chrony";
  sh(shell_join({"dpkg-deb", "-x", deb.string(), root.string()}));
  // No command sockets, no drift file: nothing of it touches a host chronyd, if there is one.
  write_file(layout.dir / "ntp-server.conf", "local stratum 8\nallow " + layout.address(0) + "/24\nbindaddress " +
                                                 layout.address(1) + "\ncmdport 0\nbindcmdaddress /\npidfile " +
                                                 (layout.dir / "ntp-server.pid").string() + "\n");
  sh(shell_join(
      {(root / "usr/sbin/chronyd").string(), "-x", "-u", "root", "-f", (layout.dir / "ntp-server.conf").string()}));
}

void stop_ntp_server(const Layout& layout) {
  pid_t pid = 0;
  try {
    pid = std::stoi(file_text(layout.dir / "ntp-server.pid"));
  } catch (const std::exception&) {
    return;
  }
  // Only if it is still the server this sandbox started, not a recycled pid.
  std::string cmdline = file_text("/proc/" + std::to_string(pid) + "/cmdline");
  if (cmdline.find((layout.dir / "ntp-server.conf").string()) != std::string::npos) kill(pid, SIGTERM);
  fs::remove(layout.dir / "ntp-server.pid");
}

}  // namespace

void require_vm_tools() {
  const std::pair<const char*, const char*> tools[] = {{"qemu-system-x86_64", "qemu-system-x86"},
                                                       {"busybox", "busybox-static"},
                                                       {"cpio", "cpio"},
                                                       {"mkfs.ext4", "e2fsprogs"},
                                                       {"sudo", "sudo"},
                                                       {"useradd", "passwd"}};
  for (const auto& [tool, package] : tools) {
    if (host().exec_script("PATH=/usr/sbin:/usr/bin:/sbin:/bin; command -v " + std::string(tool)).exit_code != 0) {
      fail(ErrorCode::kNotFound, std::string("faultline sandbox --vm needs ") + tool + " (Debian package " + package +
                                     "): run cmake/install-deps.sh as root");
    }
  }
  if (!fs::exists(initramfs_script())) {
    fail(ErrorCode::kNotFound, "faultline sandbox --vm needs " + initramfs_script().string() + " from the source tree");
  }
}

std::string choose_accel(const Layout& layout) {
  const std::string& wanted = layout.options.accel;
  if (wanted == "kvm" || wanted == "tcg") return wanted;
  if (wanted != "auto") fail(ErrorCode::kBadInput, "--accel must be kvm, tcg or auto, not '" + wanted + "'");
  return kvm_boots(layout) ? "kvm" : "tcg";
}

void vm_boot_node(const Layout& layout, int i) {
  fs::path node = layout.node_dir(i);
  fs::remove(node / "qemu.pid");
  auto argv = qemu_argv(layout, node_accel(layout));
  argv.insert(
      argv.end(),
      {"-name", layout.options.name + "-" + layout.node_name(i), "-m", std::to_string(layout.options.memory_mb),
       "-serial", "file:" + (node / "console.log").string(), "-append",
       "console=ttyS0 quiet panic=-1 clocksource=hpet fl.init=" + (layout.dir / "guest-init").string() +
           " fl.node=" + layout.node_name(i) + " fl.ip=" + layout.node_address(i) + " fl.dir=" + layout.dir.string() +
           " fl.ntp=" + layout.address(1) + " fl.end",
       "-fsdev", "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap", "-device",
       "virtio-9p-pci,fsdev=root,mount_tag=hostroot",
       // writeback: what the guest flushed reaches the image; a SIGKILL loses only the guest's cache.
       "-drive", "file=" + (node / "disk.img").string() + ",format=raw,if=virtio,cache=writeback", "-netdev",
       "tap,id=net0,ifname=" + tap(i) + ",script=no,downscript=no", "-device",
       "virtio-net-pci,netdev=net0,mac=" + mac(layout, i), "-pidfile", (node / "qemu.pid").string(), "-daemonize"});
  std::vector<std::string> command = {"ip", "netns", "exec", vm_netns(layout)};
  command.insert(command.end(), argv.begin(), argv.end());
  sh(shell_join(command) + " </dev/null >>" + shell_quote((node / "qemu.log").string()) + " 2>&1");
}

void vm_power_off(const Layout& layout, int i) {
  fs::path pidfile = layout.node_dir(i) / "qemu.pid";
  pid_t pid = 0;
  try {
    pid = std::stoi(file_text(pidfile));
  } catch (const std::exception&) {
    return;  // not running
  }
  auto give_up = Clock::now() + 5s;
  while (kill(pid, SIGKILL) == 0) {
    if (Clock::now() > give_up) fail(ErrorCode::kInternal, "qemu of " + layout.node_name(i) + " survives SIGKILL");
    std::this_thread::sleep_for(10ms);
  }
  fs::remove(pidfile);
}

void vm_up(const Layout& layout) {
  require_free_subnet(layout);
  write_state(layout);
  const fs::path& dir = layout.dir;
  sh(shell_join({"sh", initramfs_script().string(), dir.string()}));
  std::string accel = choose_accel(layout);
  write_file(dir / "accel", accel + "\n");
  write_file(dir / "guest-init", kGuestInit, fs::perms(0755));
  write_file(dir / "password", sh("head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \\n'"), fs::perms(0600));
  for (int i = 1; i <= layout.options.nodes; ++i) {
    fs::path node = layout.node_dir(i);
    // In the guest only root can read the state directory over 9p, so keys go to a copy.
    std::string config = file_text(node / "sshd_config");
    std::string from = "AuthorizedKeysFile " + (dir / "authorized_keys").string();
    config.replace(config.find(from), from.size(), "AuthorizedKeysFile /etc/faultline-authorized_keys");
    write_file(node / "sshd_config", config);
    sh(shell_join({"truncate", "-s", "1G", (node / "disk.img").string()}) + " && " +
       shell_join({"mkfs.ext4", "-q", "-F", (node / "disk.img").string()}));
  }
  std::string ns = vm_netns(layout);
  std::vector<std::vector<std::string>> steps = {
      {"ip", "netns", "add", ns},
      {"ip", "-n", ns, "link", "set", "lo", "up"},
      {"ip", "-n", ns, "link", "add", "br0", "type", "bridge"},
      {"ip", "link", "add", layout.bridge, "type", "veth", "peer", "name", "up0", "netns", ns},
      {"ip", "-n", ns, "link", "set", "up0", "master", "br0", "up"},
      {"ip", "-n", ns, "link", "set", "br0", "up"},
      {"ip", "addr", "add", layout.address(1) + "/24", "dev", layout.bridge},
      {"ip", "link", "set", layout.bridge, "up"}};
  for (int i = 1; i <= layout.options.nodes; ++i) {
    steps.push_back({"ip", "-n", ns, "tuntap", "add", "dev", tap(i), "mode", "tap"});
    steps.push_back({"ip", "-n", ns, "link", "set", tap(i), "master", "br0", "up"});
  }
  std::string network = "set -e";
  for (const auto& argv : steps) network += "; " + shell_join(argv);
  sh(network);
  start_ntp_server(layout);
  for (int i = 1; i <= layout.options.nodes; ++i) vm_boot_node(layout, i);
  for (int i = 1; i <= layout.options.nodes; ++i) wait_for_sshd(layout, i, kBootTimeout);
}

bool is_vm_sandbox(const Layout& layout) {
  auto json = Json::parse(file_text(layout.dir / "sandbox.json"), nullptr, false);
  return json.is_object() && json.value("vm", false);
}

bool vm_node_running(const Layout& layout, int i) {
  try {
    return kill(std::stoi(file_text(layout.node_dir(i) / "qemu.pid")), 0) == 0;
  } catch (const std::exception&) {
    return false;
  }
}

bool vm_running(const Layout& layout) {
  for (int i = 1; i <= layout.options.nodes; ++i) {
    if (!vm_node_running(layout, i)) return false;
  }
  return true;
}

void vm_tear_down(const Layout& layout) {
  stop_ntp_server(layout);
  std::string ns = vm_netns(layout);
  bool exists = false;
  for (const auto& w : words(sh("ip netns list"))) exists = exists || w == ns;
  if (exists) {
    kill_namespace_processes(ns);  // the qemu processes: a power cut, nothing is synced
    sh(shell_join({"ip", "netns", "delete", ns}));
  }
  std::ignore = host().exec({"ip", "link", "delete", layout.bridge});  // gone with its peer already, usually
}

void vm_restart_node(const Layout& layout, int i) {
  vm_power_off(layout, i);
  vm_boot_node(layout, i);
  wait_for_sshd(layout, i, kBootTimeout);
}

}  // namespace faultline::detail
