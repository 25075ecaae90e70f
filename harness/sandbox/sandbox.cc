#include "harness/sandbox/sandbox.h"
#include "harness/sandbox/sandbox_detail.h"
#include "harness/sandbox/vm.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <tuple>

#include "harness/control/fan_out.h"
#include "harness/control/local_session.h"
#include "harness/control/remote.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "harness/core/files.h"
#include "harness/core/json.h"

namespace faultline {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace detail {

constexpr int kMaxNodes = 200;
constexpr const char* kPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

Layout layout_of(const SandboxOptions& options) {
  if (!std::regex_match(options.name, std::regex("[a-z][a-z0-9]{0,5}"))) {
    fail(ErrorCode::kBadInput,
         "sandbox name '" + options.name + "' must be 1-6 lowercase letters or digits, starting with a letter");
  }
  if (options.nodes < 1 || options.nodes > kMaxNodes) {
    fail(ErrorCode::kBadInput, "sandbox --nodes must be between 1 and " + std::to_string(kMaxNodes));
  }
  Layout layout{options, options.dir.empty() ? default_sandbox_dir(options.name) : options.dir, options.name + "-br"};
  std::smatch m;
  in_addr a{};
  if (!std::regex_match(options.subnet, m, std::regex(R"(([0-9.]+)/24)")) ||
      inet_pton(AF_INET, m[1].str().c_str(), &a) != 1 || (ntohl(a.s_addr) & 0xff) != 0) {
    fail(ErrorCode::kBadInput, "sandbox subnet '" + options.subnet + "' must be a /24 like 10.77.0.0/24");
  }
  layout.network = ntohl(a.s_addr);
  return layout;
}

LocalSession& host() {
  static LocalSession session("sandbox host");
  return session;
}

// Runs a script on this machine with sbin in PATH; throws Error(kRemote) with its stderr on failure.
std::string sh(const std::string& script) { return host().check_script(std::string(kPath) + "; " + script); }

void require_root_and_tools() {
  if (geteuid() != 0) {
    fail(ErrorCode::kBadInput, "faultline sandbox needs root (it creates network namespaces): run it with sudo");
  }
  const std::pair<const char*, const char*> tools[] = {
      {"ip", "iproute2"},        {"unshare", "util-linux"},  {"setsid", "util-linux"},
      {"nsenter", "util-linux"}, {"sshd", "openssh-server"}, {"ssh-keygen", "openssh-client"},
      {"iptables", "iptables"},  {"ps", "procps"},           {"timeout", "coreutils"}};
  for (const auto& [tool, package] : tools) {
    if (host().exec_script(std::string(kPath) + "; command -v " + tool).exit_code != 0) {
      fail(ErrorCode::kNotFound, std::string("faultline sandbox needs ") + tool + " (Debian package " + package +
                                     "): run cmake/install-deps.sh as root");
    }
  }
}

SandboxLock::SandboxLock(const Layout& layout) : SandboxLock(layout.options.name) {}
SandboxLock::SandboxLock(const std::string& name) {
  fs::create_directories("/run/lock");
  std::string path = "/run/lock/faultline-sandbox" + (name.empty() ? "" : "-" + name) + ".lock";
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0 || flock(fd_, LOCK_EX) != 0) fail(ErrorCode::kIo, "cannot lock " + path);
}
SandboxLock::~SandboxLock() { close(fd_); }

void write_file(const fs::path& path, const std::string& text, fs::perms mode) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) fail(ErrorCode::kIo, "cannot write " + path.string());
  fs::permissions(path, mode);
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> result;
  for (std::string w; in >> w;) result.push_back(w);
  return result;
}

// Our namespaces: exactly <name>-n<digits>, so a sandbox never touches another one's.
std::vector<std::string> sandbox_namespaces(const std::string& name) {
  std::vector<std::string> found;
  std::istringstream lines(sh("ip netns list"));
  std::regex ours(name + "-n[0-9]+");
  for (std::string line; std::getline(lines, line);) {
    std::string ns = line.substr(0, line.find(' '));
    if (std::regex_match(ns, ours)) found.push_back(ns);
  }
  return found;
}

std::vector<pid_t> namespace_pids(const std::string& ns) {
  std::vector<pid_t> pids;
  for (const auto& w : words(host().exec({"ip", "netns", "pids", ns}).out)) pids.push_back(std::stoi(w));
  return pids;
}

// SIGKILLs every process in the namespace and waits until they are gone.
void kill_namespace_processes(const std::string& ns) {
  auto give_up = Clock::now() + 3s;
  for (;;) {
    auto pids = namespace_pids(ns);
    if (pids.empty()) return;
    if (Clock::now() > give_up) fail(ErrorCode::kInternal, "processes in namespace " + ns + " survive SIGKILL");
    for (pid_t pid : pids) kill(pid, SIGKILL);
    std::this_thread::sleep_for(10ms);
  }
}

bool port_open(const std::string& address, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  bool open = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
    open = true;
  } else if (errno == EINPROGRESS) {
    pollfd ready{fd, POLLOUT, 0};
    int error = 0;
    socklen_t size = sizeof error;
    open = poll(&ready, 1, 200) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0;
  }
  close(fd);
  return open;
}

void wait_for_sshd(const Layout& layout, int i, std::chrono::seconds within) {
  auto give_up = Clock::now() + within;
  while (!port_open(layout.node_address(i), 22)) {
    if (Clock::now() > give_up) {
      fail(ErrorCode::kUnavailable, "sandbox node " + layout.node_name(i) + ": sshd did not start; see " +
                                        (layout.node_dir(i) / "console.log").string());
    }
    std::this_thread::sleep_for(5ms);
  }
}

// Nodes outlive the process that starts them, so they must not inherit its descriptors: a node
// holding, say, the lock file of the script that ran us would hold that lock until `down`.
void keep_descriptors_from_nodes() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd", ec)) {
    int fd = std::atoi(entry.path().filename().c_str());
    if (fd > 2) ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
  }
}

// Starts node i: a new session (so it outlives us) in its network namespace, with new PID, mount
// and UTS namespaces whose first process sets up the node and becomes its sshd.
void start_node(const Layout& layout, int i) {
  keep_descriptors_from_nodes();
  fs::path node = layout.node_dir(i);
  std::string setup = "set -e; hostname " + layout.node_name(i) + "; mount --bind " +
                      shell_quote((node / "home").string()) + " /root" + "; mount --bind " +
                      shell_quote((layout.dir / "hosts").string()) + " /etc/hosts" + "; mount --bind " +
                      shell_quote((node / "storage").string()) + " " + kNodeStorage +
                      "; mount -t tmpfs -o mode=1777 tmpfs /tmp; mount -t tmpfs -o mode=755 tmpfs /run"
                      "; mkdir -p /run/sshd; exec /usr/sbin/sshd -D -e -f " +
                      shell_quote((node / "sshd_config").string());
  std::vector<std::string> command = {"setsid",  "ip",    "netns",         "exec",         layout.netns(i),
                                      "unshare", "--pid", "--fork",        "--kill-child", "--mount-proc",
                                      "--mount", "--uts", "--propagation", "private",      "sh",
                                      "-c",      setup};
  sh(shell_join(command) + " </dev/null >" + shell_quote((node / "console.log").string()) + " 2>&1 &");
}

void generate_key(const fs::path& path) {
  fs::remove(path);
  fs::remove(path.string() + ".pub");
  sh(shell_join({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "faultline-sandbox", "-f", path.string()}));
}

// One key line "type base64" of a .pub file.
std::string public_key(const fs::path& pub) {
  auto w = words(file_text(pub));
  if (w.size() < 2) fail(ErrorCode::kIo, "bad public key file " + pub.string());
  return w[0] + " " + w[1];
}

void write_state(const Layout& layout) {
  const fs::path& dir = layout.dir;
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms(0700));
  generate_key(dir / "id_ed25519");
  std::string hosts = "127.0.0.1 localhost\n::1 localhost\n" + layout.address(1) + " controller\n";
  std::string known_hosts, ssh_config = "Host *\n  LogLevel ERROR\n", nodes;
  for (int i = 1; i <= layout.options.nodes; ++i) {
    fs::path node = layout.node_dir(i);
    fs::create_directories(node / "home");
    fs::create_directories(node / "storage");
    generate_key(node / "ssh_host_ed25519_key");
    std::string name = layout.node_name(i), address = layout.node_address(i);
    hosts += address + " " + name + "\n";
    known_hosts += name + "," + address + " " + public_key(node / "ssh_host_ed25519_key.pub") + "\n";
    ssh_config += "Host " + name + "\n  HostName " + address + "\n  User root\n  IdentityFile " +
                  (dir / "id_ed25519").string() + "\n  IdentitiesOnly yes\n  UserKnownHostsFile " +
                  (dir / "known_hosts").string() + "\n  StrictHostKeyChecking yes\n";
    NodeSpec spec;
    spec.name = name;
    spec.host = address;
    spec.key_path = (dir / "id_ed25519").string();
    spec.known_hosts = (dir / "known_hosts").string();
    nodes += to_nodes_line(spec) + "\n";
    write_file(node / "sshd_config",
               "ListenAddress " + address +
                   ":22\n"
                   "HostKey " +
                   (node / "ssh_host_ed25519_key").string() +
                   "\n"
                   "AuthorizedKeysFile " +
                   (dir / "authorized_keys").string() +
                   "\n"
                   "PermitRootLogin prohibit-password\nPasswordAuthentication " +
                   std::string(layout.options.vm ? "yes" : "no") +
                   "\nKbdInteractiveAuthentication no\n"
                   "UsePAM no\nPidFile none\nStrictModes no\nUseDNS no\nPrintMotd no\nPrintLastLog no\n"
                   "MaxSessions 64\nMaxStartups 200\nSubsystem sftp internal-sftp\n");
  }
  write_file(dir / "authorized_keys", public_key(dir / "id_ed25519.pub") + "\n", fs::perms(0600));
  write_file(dir / "hosts", hosts);
  write_file(dir / "known_hosts", known_hosts);
  write_file(dir / "ssh_config", ssh_config);
  write_file(dir / "nodes", "# faultline sandbox " + layout.options.name + ": use with --nodes-file\n" + nodes);
}

// Every IPv4 route except our bridge's must stay clear of the sandbox's /24.
void require_free_subnet(const Layout& layout);

bool subnet_free(const Layout& layout) {
  try {
    require_free_subnet(layout);
    return true;
  } catch (const Error&) {
    return false;
  }
}

void require_free_subnet(const Layout& layout) {
  std::istringstream routes(sh("ip -4 route show table all"));
  for (std::string line; std::getline(routes, line);) {
    auto w = words(line);
    if (w.empty()) continue;
    std::string destination = w[0] == "local" || w[0] == "broadcast" ? (w.size() > 1 ? w[1] : "") : w[0];
    if (destination == "default" || destination.empty()) continue;
    if (line.find(" dev " + layout.bridge + " ") != std::string::npos) continue;
    std::string address = destination.substr(0, destination.find('/'));
    int prefix =
        destination.find('/') == std::string::npos ? 32 : std::stoi(destination.substr(destination.find('/') + 1));
    in_addr a{};
    if (inet_pton(AF_INET, address.c_str(), &a) != 1) continue;
    uint32_t mask = prefix == 0 ? 0 : ~uint32_t(0) << (32 - std::min(prefix, 24));
    if ((ntohl(a.s_addr) & mask) == (layout.network & mask)) {
      fail(ErrorCode::kBadInput, "sandbox subnet " + layout.options.subnet + " overlaps the route '" + line +
                                     "': choose another with --subnet");
    }
  }
}

Json options_json(const SandboxOptions& options) {
  Json json = {{"name", options.name}, {"nodes", options.nodes}, {"subnet", options.subnet}};
  if (options.vm) json["vm"] = true;
  if (options.vm) json["memory-mb"] = options.memory_mb;
  return json;
}

bool healthy(const Layout& layout) {
  if (!fs::exists(layout.dir / "sandbox.json")) return false;
  if (Json::parse(file_text(layout.dir / "sandbox.json"), nullptr, false) != options_json(layout.options)) return false;
  if (layout.options.vm ? !vm_running(layout)
                        : sandbox_namespaces(layout.options.name).size() != static_cast<size_t>(layout.options.nodes)) {
    return false;
  }
  for (int i = 1; i <= layout.options.nodes; ++i) {
    if (!port_open(layout.node_address(i), 22)) return false;
  }
  return true;
}

void tear_down(const Layout& layout) {
  for (const auto& ns : sandbox_namespaces(layout.options.name)) {
    kill_namespace_processes(ns);
    sh(shell_join({"ip", "netns", "delete", ns}));
  }
  // Host ends of veth pairs vanish with their namespaces; the bridge and strays are ours by name.
  std::regex ours(layout.options.name + "-(br|n[0-9]+)");
  for (const auto& link : words(sh("ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1"))) {
    // A veth may vanish on its own meanwhile, so a failed delete is fine.
    if (std::regex_match(link, ours)) std::ignore = host().exec({"ip", "link", "delete", link});
  }
  // The state directory is removed only if it is one we made (it holds sandbox.json or our key).
  if (fs::exists(layout.dir / "sandbox.json") || fs::exists(layout.dir / "id_ed25519")) fs::remove_all(layout.dir);
  // The last sandbox gone, the directories `up` made go too (remove() only removes empty ones).
  std::error_code ec;
  SandboxLock shared("");  // another sandbox may be coming up beside this one
  if (fs::is_empty(default_sandbox_dir(layout.options.name).parent_path(), ec) && !ec) {
    for (fs::path dir : {fs::path(kNodeStorage), default_sandbox_dir(layout.options.name).parent_path()}) {
      for (; dir != "/var/lib" && dir != dir.parent_path(); dir = dir.parent_path()) fs::remove(dir, ec);
    }
  }
}

}  // namespace detail

using namespace detail;

fs::path default_sandbox_dir(const std::string& name) { return fs::path("/var/lib/faultline/sandbox") / name; }

void sandbox_up(const SandboxOptions& options) {
  Layout layout = layout_of(options);
  require_root_and_tools();
  if (options.vm) require_vm_tools();
  SandboxLock lock(layout);
  if (healthy(layout)) return;
  vm_tear_down(layout);
  tear_down(layout);
  if (options.vm) {
    vm_up(layout);
    write_file(layout.dir / "sandbox.json", options_json(options).dump(2) + "\n");
    return;
  }
  require_free_subnet(layout);
  {
    SandboxLock shared("");  // so a sandbox going down beside this one keeps the shared directories
    write_state(layout);
    fs::create_directories(kNodeStorage);  // the mount point every node's storage is bound to
    fs::create_directories("/run/sshd");
  }

  std::string network = "set -e; " + shell_join({"ip", "link", "add", layout.bridge, "type", "bridge"}) + "; " +
                        shell_join({"ip", "addr", "add", layout.address(1) + "/24", "dev", layout.bridge}) + "; " +
                        shell_join({"ip", "link", "set", layout.bridge, "up"});
  for (int i = 1; i <= options.nodes; ++i) {
    std::string ns = layout.netns(i);
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"ip", "netns", "add", ns},
             {"ip", "link", "add", layout.veth(i), "type", "veth", "peer", "name", "eth0", "netns", ns},
             {"ip", "link", "set", layout.veth(i), "master", layout.bridge, "up"},
             {"ip", "-n", ns, "addr", "add", layout.node_address(i) + "/24", "dev", "eth0"},
             {"ip", "-n", ns, "link", "set", "eth0", "up"},
             {"ip", "-n", ns, "link", "set", "lo", "up"}}) {
      network += "; " + shell_join(argv);
    }
  }
  sh(network);
  for (int i = 1; i <= options.nodes; ++i) start_node(layout, i);
  for (int i = 1; i <= options.nodes; ++i) wait_for_sshd(layout, i);
  write_file(layout.dir / "sandbox.json", options_json(options).dump(2) + "\n");
}

void sandbox_down(const SandboxOptions& options) {
  Layout layout = layout_of(options);
  require_root_and_tools();
  SandboxLock lock(layout);
  vm_tear_down(layout);
  tear_down(layout);
}

std::vector<NodeSpec> load_sandbox_nodes(const fs::path& dir) {
  if (!fs::exists(dir / "nodes")) {
    fail(ErrorCode::kNotFound, "no sandbox in " + dir.string() + ": run `faultline sandbox up` first");
  }
  return read_nodes_file(dir / "nodes", NodeSpec{});
}

std::vector<NodeStatus> sandbox_status(const SandboxOptions& options) {
  Layout layout = layout_of(options);
  auto nodes = load_sandbox_nodes(layout.dir);
  auto outcomes = fan_out(nodes, [](const NodeSpec& node) {
    NodeSpec quick = node;
    // Short, but enough for a TCG VM's handshake on a loaded machine.
    quick.connect_timeout = 10s;
    ExecOptions within;
    within.timeout = 15s;
    return open_session(quick)->check({"ps", "-e", "-o", "pid=,args="}, within);
  });
  std::vector<NodeStatus> statuses;
  for (size_t i = 0; i < nodes.size(); ++i) {
    NodeStatus status;
    status.name = nodes[i].name;
    status.address = nodes[i].host;
    status.healthy = outcomes[i].value.has_value();
    if (status.healthy)
      status.processes = *outcomes[i].value;
    else
      status.problem = outcomes[i].error->what();
    statuses.push_back(std::move(status));
  }
  return statuses;
}

SandboxSlot::~SandboxSlot() { close(fd_); }

std::unique_ptr<SandboxSlot> allocate_sandbox(const std::string& prefix, const std::string& first_subnet, int count,
                                              double wait_seconds) {
  Layout first = layout_of({prefix, 1, first_subnet, {}});
  if (count < 1 || (first.network >> 8 & 0xff) + count > 256)
    fail(ErrorCode::kBadInput, "sandbox pool: " + std::to_string(count) + " slots do not fit after " + first_subnet);
  fs::create_directories("/run/lock");
  auto give_up = Clock::now() + std::chrono::duration<double>(wait_seconds);
  for (;;) {
    for (int i = 0; i < count; ++i) {
      SandboxOptions options;
      options.name = prefix + (i ? std::to_string(i + 1) : "");
      options.subnet = first.address(256 * i).append("/24");
      Layout layout = layout_of(options);
      std::string path = "/run/lock/faultline-slot-" + options.name + ".lock";
      int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) fail(ErrorCode::kIo, "cannot open " + path);
      if (flock(fd, LOCK_EX | LOCK_NB) != 0 || !subnet_free(layout)) {
        close(fd);
        continue;
      }
      return std::make_unique<SandboxSlot>(options.name, options.subnet, fd);
    }
    if (Clock::now() >= give_up)
      fail(ErrorCode::kUnavailable, "all " + std::to_string(count) + " sandbox slots " + prefix +
                                        "… are taken; "
                                        "allow more with a larger pool or fewer cells per machine");
    std::this_thread::sleep_for(200ms);
  }
}

std::string sandbox_vm_accel(const fs::path& dir) {
  std::string accel = file_text(dir / "accel");
  return accel.substr(0, accel.find('\n'));
}

namespace {

int node_index(const Layout& layout, const std::string& node) {
  for (int k = 1; k <= layout.options.nodes; ++k) {
    if (layout.node_name(k) == node) return k;
  }
  fail(ErrorCode::kNotFound, "sandbox has no node '" + node + "'");
}

// The layout of the VM sandbox in `dir`, for a power fault on `node`.
Layout vm_layout_at(const fs::path& dir, const std::string& node) {
  SandboxOptions options = sandbox_options_at(dir);
  if (!options.vm)
    fail(ErrorCode::kBadInput,
         "the power fault cuts a VM's power, and " + node + " is not a VM: use VM nodes (faultline sandbox up --vm)");
  return layout_of(options);
}

}  // namespace

SandboxOptions sandbox_options_at(const fs::path& dir) {
  auto json = Json::parse(file_text(dir / "sandbox.json"), nullptr, false);
  if (!json.is_object())
    fail(ErrorCode::kNotFound, "no sandbox in " + dir.string() + " (faultline sandbox up makes one)");
  SandboxOptions options;
  options.dir = dir;
  options.name = json.value("name", options.name);
  options.nodes = json.value("nodes", options.nodes);
  options.subnet = json.value("subnet", options.subnet);
  options.vm = json.value("vm", false);
  options.memory_mb = json.value("memory-mb", options.memory_mb);
  return options;
}

void power_off_sandbox_node(const fs::path& dir, const std::string& node) {
  Layout layout = vm_layout_at(dir, node);
  SandboxLock lock(layout);
  vm_power_off(layout, node_index(layout, node));
}

void power_on_sandbox_node(const fs::path& dir, const std::string& node) {
  Layout layout = vm_layout_at(dir, node);
  int i = node_index(layout, node);
  {
    SandboxLock lock(layout);
    if (!vm_node_running(layout, i)) vm_boot_node(layout, i);
  }
  wait_for_sshd(layout, i, std::chrono::seconds(180));
}

std::unique_ptr<PowerSwitch> vm_power_switch(const fs::path& dir) {
  class VmPowerSwitch : public PowerSwitch {
   public:
    explicit VmPowerSwitch(fs::path dir) : dir_(std::move(dir)) {}
    void off(const std::string& node) override { power_off_sandbox_node(dir_, node); }
    void on(const std::string& node) override { power_on_sandbox_node(dir_, node); }

   private:
    fs::path dir_;
  };
  return std::make_unique<VmPowerSwitch>(dir);
}

void restart_sandbox_node(const SandboxOptions& options, const std::string& node) {
  Layout layout = layout_of(options);
  SandboxLock lock(layout);
  int i = node_index(layout, node);
  if (is_vm_sandbox(layout)) {
    vm_restart_node(layout, i);
    return;
  }
  kill_namespace_processes(layout.netns(i));
  start_node(layout, i);
  wait_for_sshd(layout, i);
}

}  // namespace faultline
