// Internals shared by the namespace sandbox (sandbox.cc) and the VM sandbox (vm.cc).
#pragma once

#include <arpa/inet.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/control/local_session.h"
#include "harness/core/files.h"
#include "harness/core/json.h"
#include "harness/sandbox/sandbox.h"

namespace faultline::detail {

struct Layout {
  SandboxOptions options;
  std::filesystem::path dir;
  std::string bridge;
  uint32_t network = 0;  // host byte order, the /24's first address

  std::string node_name(int i) const { return "n" + std::to_string(i); }
  std::string netns(int i) const { return options.name + "-n" + std::to_string(i); }
  std::string veth(int i) const { return netns(i); }  // host side; links and namespaces are apart
  std::string address(uint32_t host) const {
    in_addr a{htonl(network + host)};
    char text[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, &a, text, sizeof text);
  }
  std::string node_address(int i) const { return address(10 + i); }
  std::filesystem::path node_dir(int i) const { return dir / node_name(i); }
};

Layout layout_of(const SandboxOptions& options);
LocalSession& host();
// Runs a script on this machine with sbin in PATH; throws Error(kRemote) with its stderr on failure.
std::string sh(const std::string& script);
void require_root_and_tools();
void write_file(const std::filesystem::path& path, const std::string& text,
                std::filesystem::perms mode = std::filesystem::perms(0644));
std::vector<std::string> words(const std::string& text);
std::vector<pid_t> namespace_pids(const std::string& ns);
void kill_namespace_processes(const std::string& ns);
bool port_open(const std::string& address, int port);
void wait_for_sshd(const Layout& layout, int i, std::chrono::seconds within = std::chrono::seconds(10));
void write_state(const Layout& layout);
void require_free_subnet(const Layout& layout);
Json options_json(const SandboxOptions& options);

// Serialises up/down/restart of one sandbox across processes (parallel tests, two shells).
// Serialises up/down/restart of one sandbox across processes (parallel tests, two shells).
// The machine-wide lock (name "") guards the directories all sandboxes share.
class SandboxLock {
 public:
  explicit SandboxLock(const Layout& layout);
  explicit SandboxLock(const std::string& name);
  ~SandboxLock();
  SandboxLock(const SandboxLock&) = delete;
  SandboxLock& operator=(const SandboxLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace faultline::detail
