#include "targets/maelstrom/maelstrom_target.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <tuple>

#include "harness/control/fan_out.h"
#include "harness/control/node_layout.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "targets/maelstrom/services.h"
#include "targets/node_daemon.h"

namespace faultline {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

OpType maelstrom_error_type(int64_t code) {
  static const std::set<int64_t> definite = {1, 10, 11, 12, 14, 20, 21, 22, 30};
  return definite.count(code) ? OpType::kFail : OpType::kInfo;
}

Json maelstrom_topology(const std::string& kind, const std::vector<std::string>& nodes) {
  Json t = Json::object();
  size_t n = nodes.size();
  for (const auto& node : nodes) t[node] = Json::array();
  auto link = [&](size_t a, size_t b) {
    t[nodes[a]].push_back(nodes[b]);
    t[nodes[b]].push_back(nodes[a]);
  };
  if (kind == "total") {
    for (size_t a = 0; a < n; ++a)
      for (size_t b = a + 1; b < n; ++b) link(a, b);
  } else if (kind == "line") {
    for (size_t a = 0; a + 1 < n; ++a) link(a, a + 1);
  } else if (kind == "tree") {  // binary tree in node order
    for (size_t a = 1; a < n; ++a) link((a - 1) / 2, a);
  } else if (kind == "grid") {  // a square-ish grid, row by row
    size_t width = static_cast<size_t>(std::ceil(std::sqrt(static_cast<double>(n))));
    for (size_t a = 0; a < n; ++a) {
      if ((a + 1) % width != 0 && a + 1 < n) link(a, a + 1);
      if (a + width < n) link(a, a + width);
    }
  } else {
    fail(ErrorCode::kBadInput, "unknown topology \"" + kind + "\"; known: total, line, grid, tree");
  }
  return t;
}

Json maelstrom_request(const std::string& w, const Op& op) {
  if (op.f == "echo") return {{"type", "echo"}, {"echo", op.value}};
  if (op.f == "generate") return {{"type", "generate"}};
  if (op.f == "broadcast") return {{"type", "broadcast"}, {"message", op.value}};
  if (op.f == "txn") return {{"type", "txn"}, {"txn", op.value}};  // faultline's micro-ops are Maelstrom's
  if (w == "kafka") {
    if (op.f == "send") return {{"type", "send"}, {"key", op.value[0]}, {"msg", op.value[1]}};
    if (op.f == "poll") return {{"type", "poll"}, {"offsets", op.value}};
    if (op.f == "commit_offsets") return {{"type", "commit_offsets"}, {"offsets", op.value}};
    if (op.f == "list_committed_offsets") return {{"type", "list_committed_offsets"}, {"keys", op.value}};
  }
  if (w == "cas-register" || w == "register") {  // lin-kv
    const Json& k = op.value[0];
    if (op.f == "read") return {{"type", "read"}, {"key", k}};
    if (op.f == "write") return {{"type", "write"}, {"key", k}, {"value", op.value[1]}};
    if (op.f == "cas") return {{"type", "cas"}, {"key", k}, {"from", op.value[1][0]}, {"to", op.value[1][1]}};
  }
  if (op.f == "read") return {{"type", "read"}};
  if (op.f == "add" && (w == "g-counter" || w == "pn-counter")) return {{"type", "add"}, {"delta", op.value}};
  if (op.f == "add") return {{"type", "add"}, {"element", op.value}};
  fail(ErrorCode::kBadInput, "the maelstrom target has no message for op " + op.f + " of workload " + w);
}

Json maelstrom_result(const std::string& w, const Op& op, const Json& b) {
  if (op.f == "echo") return b.value("echo", Json());
  if (op.f == "generate") return b.value("id", Json());
  if (op.f == "txn") return b.value("txn", Json());
  if (op.f == "send") return Json::array({op.value[0], op.value[1], b.value("offset", Json())});
  if (op.f == "poll") return b.value("msgs", Json::object());
  if (op.f == "list_committed_offsets") return b.value("offsets", Json::object());
  if (op.f == "read" && w == "broadcast") return b.value("messages", Json::array());
  if (op.f == "read" && (w == "cas-register" || w == "register"))
    return Json::array({op.value[0], b.value("value", Json())});
  if (op.f == "read") return b.value("value", Json());
  return op.value;
}

namespace {

std::string option_string(const Json& options, const std::string& key, const std::string& fallback) {
  if (!options.contains(key)) return fallback;
  if (!options[key].is_string()) fail(ErrorCode::kBadInput, "maelstrom target option " + key + " must be a string");
  return options[key].get<std::string>();
}

// Where the relay program was built: beside the faultline binary's build tree.
std::string find_relay() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  for (const fs::path& p :
       {exe.parent_path() / "faultline-maelstrom-relay",
        exe.parent_path().parent_path().parent_path() / "targets/maelstrom/faultline-maelstrom-relay",
        exe.parent_path().parent_path() / "targets/maelstrom/faultline-maelstrom-relay"})
    if (fs::exists(p)) return p.string();
  fail(ErrorCode::kNotFound,
       "cannot find faultline-maelstrom-relay beside " + exe.string() + "; build it or pass --target-opt relay=PATH");
}

// What every client needs: where the relays listen and how long to wait.
struct Shared {
  std::map<std::string, std::string> addresses;
  int port = 7700;
  std::string workload;
  milliseconds timeout{9000};
};

class MaelstromClient : public Client {
 public:
  explicit MaelstromClient(std::shared_ptr<const Shared> shared, int64_t id) : shared_(std::move(shared)) {
    id_ = "c" + std::to_string(id);
  }
  ~MaelstromClient() override { close(); }

  void open(const std::string& node) override { node_ = node; }
  void close() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  Op invoke(const Op& op) override {
    Json body = maelstrom_request(shared_->workload, op);
    int64_t msg_id = next_msg_id_++;
    body["msg_id"] = msg_id;
    Json msg = {{"src", id_}, {"dest", node_}, {"body", body}};
    if (fd_ < 0) connect_to_node();
    std::string line = json_text(msg) + "\n";
    if (send(fd_, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
      close();
      return complete_error(op, OpType::kFail, "cannot send to the relay on " + node_);
    }
    auto deadline = std::chrono::steady_clock::now() + shared_->timeout;
    while (true) {
      Json reply;
      if (!read_message(deadline, reply)) {
        close();  // a late reply must not be taken for the next op's
        return complete_error(op, OpType::kInfo, "timeout: no reply from " + node_);
      }
      const Json& b = reply["body"];
      if (!b.is_object() || b.value("in_reply_to", int64_t{-1}) != msg_id) continue;
      if (b.value("type", "") == "error") {
        int64_t code = b.value("code", int64_t{0});
        return complete_error(op, maelstrom_error_type(code), Json{{"code", code}, {"text", b.value("text", "")}});
      }
      return complete(op, OpType::kOk, maelstrom_result(shared_->workload, op, b));
    }
  }

 private:
  void connect_to_node() {
    const std::string& host = shared_->addresses.at(node_);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(shared_->port));
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      fail(ErrorCode::kUnavailable, "cannot connect to the relay on " + node_ + " at " + host);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fd_ = fd;
    buf_.clear();
  }

  bool read_message(std::chrono::steady_clock::time_point deadline, Json& out) {
    while (true) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        out = Json::parse(buf_.substr(0, nl), nullptr, false);
        buf_.erase(0, nl + 1);
        if (out.is_object()) return true;
        continue;
      }
      auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left)) <= 0) return false;
      char chunk[65536];
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

  std::shared_ptr<const Shared> shared_;
  std::string id_, node_, buf_;
  int fd_ = -1;
  int64_t next_msg_id_ = 1;
};

constexpr const char* kDir = "/var/lib/faultline/node/maelstrom";

class MaelstromTarget : public Target, public Daemon {
 public:
  explicit MaelstromTarget(const Json& options) {
    static const std::set<std::string> known = {"bin",           "args",     "port",          "relay",
                                                "service-fault", "topology", "init-timeout-s"};
    for (const auto& [key, value] : options.items())
      if (!known.count(key))
        fail(ErrorCode::kBadInput, "bad maelstrom target option \"" + key +
                                       "\"; known: bin, args, port, relay, service-fault, topology, init-timeout-s");
    bin_ = option_string(options, "bin", "");
    if (bin_.empty())
      fail(ErrorCode::kBadInput, "the maelstrom target needs --target-opt bin=PATH (a Maelstrom node program)");
    if (!fs::exists(bin_)) fail(ErrorCode::kNotFound, "maelstrom node program " + bin_ + " does not exist");
    bin_ = fs::absolute(bin_).string();
    std::istringstream words(option_string(options, "args", ""));
    for (std::string w; words >> w;) args_.push_back(w);
    if (options.contains("port")) {
      if (!options["port"].is_number_integer())
        fail(ErrorCode::kBadInput, "maelstrom target option port must be an integer");
      port_ = options["port"].get<int>();
    }
    if (options.contains("init-timeout-s")) {
      if (!options["init-timeout-s"].is_number_integer() || options["init-timeout-s"].get<int>() < 1)
        fail(ErrorCode::kBadInput, "maelstrom target option init-timeout-s must be a whole number of seconds >= 1");
      init_timeout_s_ = options["init-timeout-s"].get<int>();
    }
    relay_ = options.contains("relay") ? option_string(options, "relay", "") : find_relay();
    fault_ = option_string(options, "service-fault", "");
    if (!fault_.empty() && !maelstrom::service_faults().count(fault_))
      fail(ErrorCode::kBadInput,
           "unknown service-fault \"" + fault_ + "\"; known: stale-reads, lost-writes, repeat-ts");
    topology_ = option_string(options, "topology", "total");
    maelstrom_topology(topology_, {"n1"});  // rejects an unknown kind now
  }

  std::string name() const override { return "maelstrom"; }
  // lin-kv is the cas-register vocabulary, txn-list-append and txn-rw-register the transactional ones.
  std::vector<std::string> speaks() const override {
    return {"echo",     "unique-ids",   "broadcast",   "g-set",       "g-counter", "pn-counter",
            "register", "cas-register", "list-append", "rw-register", "kafka"};
  }
  Daemon* daemon() override { return this; }

  std::unique_ptr<Client> make_client() override { return std::make_unique<MaelstromClient>(shared_, ++clients_made_); }

  void setup(const TestEnv& env) override {
    if (env.sessions.empty()) fail(ErrorCode::kBadInput, "the maelstrom target needs nodes (--sandbox or --nodes)");
    std::vector<Session*> sessions = env.sessions;
    auto addresses = values_or_throw(fan_out(sessions, [](Session* s) { return node_address(*s); }));
    auto shared = std::make_shared<Shared>();
    shared->port = port_;
    shared->workload = env.vocabulary;
    shared->timeout = milliseconds(static_cast<int64_t>(env.op_timeout_s * 900));
    std::vector<std::string> names;
    for (size_t i = 0; i < sessions.size(); ++i) {
      shared->addresses[sessions[i]->node()] = addresses[i];
      names.push_back(sessions[i]->node());
    }
    shared_ = shared;
    Json topology = shared->workload == "broadcast" ? maelstrom_topology(topology_, names) : Json();
    values_or_throw(fan_out(sessions, [&](Session* s) {
      stop_node_daemon(*s, daemon_of(*s));
      s->check({"mkdir", "-p", kDir});
      s->check({"rm", "-f", path("messages.jsonl"), path("node.log"), path("status"), path("bin.pid")});
      std::string bin = ensure_on_node(*s, bin_), relay = ensure_on_node(*s, relay_);
      std::vector<std::string> argv = {relay,
                                       "--node",
                                       s->node(),
                                       "--listen",
                                       shared->addresses[s->node()] + ":" + std::to_string(port_),
                                       "--status",
                                       path("status"),
                                       "--binpid",
                                       path("bin.pid"),
                                       "--messages",
                                       path("messages.jsonl"),
                                       "--services-at",
                                       names[0]};
      for (const auto& [peer, address] : shared->addresses)
        if (peer != s->node())
          argv.push_back("--peer"), argv.push_back(peer + "=" + address + ":" + std::to_string(port_));
      if (s->node() == names[0]) argv.push_back("--host-services");
      if (!fault_.empty()) argv.push_back("--service-fault"), argv.push_back(fault_);
      if (!topology.is_null()) argv.push_back("--topology"), argv.push_back(json_text(topology));
      argv.push_back("--");
      std::string command = "exec " + shell_join(argv) + " " + daemon_clock_env(env, *s) + shell_join(program(bin));
      start_node_daemon(*s, NodeDaemon{command, path("node.log"), path("relay.pid"), ""});
    }));
    values_or_throw(fan_out(sessions, [&](Session* s) { wait_initialised(*s); }));
  }

  void teardown(const TestEnv& env) override {
    std::vector<Session*> sessions = env.sessions;
    values_or_throw(fan_out(sessions, [&](Session* s) {
      stop_node_daemon(*s, daemon_of(*s));
      // report.html draws the message flow from the messages.jsonl files (results/message_flow.h).
      download_node_logs(*s, env, {path("messages.jsonl"), path("node.log")});
    }));
  }

  void kill(Session& node) override { signal_binary(node, "KILL"); }
  void start(Session& node) override {
    // The relay restarts the binary and sends init again on SIGUSR1.
    std::ignore = node.exec_script("kill -USR1 \"$(cat " + shell_quote(path("relay.pid")) + ")\"");
  }
  void pause(Session& node) override { signal_binary(node, "STOP"); }
  void resume(Session& node) override { signal_binary(node, "CONT"); }

 private:
  static std::string path(const std::string& file) { return std::string(kDir) + "/" + file; }
  static NodeDaemon daemon_of(Session&) { return {"", path("node.log"), path("relay.pid"), ""}; }

  std::vector<std::string> program(const std::string& bin) const {
    std::vector<std::string> p = {bin};
    p.insert(p.end(), args_.begin(), args_.end());
    return p;
  }

  // The program's path on the node: its own path when the node has it (the sandbox shares the
  // controller's files, but not its /tmp or /root), else a copy in the node's storage. The copy
  // takes the files beside the program too, since a script imports its siblings (the Python
  // examples' node.py), unless they are more than kSiblingBytes: then only the program.
  std::string ensure_on_node(Session& node, const std::string& local) {
    if (node.exec({"test", "-x", local}).exit_code == 0) return local;
    fs::path program = local;
    std::string dir = path("program-" + program.parent_path().filename().string());
    std::vector<fs::path> files;
    uintmax_t bytes = 0;
    for (const auto& entry : fs::directory_iterator(program.parent_path()))
      if (entry.is_regular_file()) files.push_back(entry.path()), bytes += entry.file_size();
    if (bytes > kSiblingBytes) files = {program};
    node.check({"mkdir", "-p", dir});
    for (const auto& file : files) node.upload(file, dir + "/" + file.filename().string());
    return dir + "/" + program.filename().string();
  }
  static constexpr uintmax_t kSiblingBytes = 64 << 20;

  void signal_binary(Session& node, const std::string& sig) {
    std::ignore =
        node.exec_script("p=$(cat " + shell_quote(path("bin.pid")) + " 2>/dev/null) && kill -" + sig + " \"$p\"");
  }

  // Waits for the relay's status: "ready" once the binary answered init, "error: ..." otherwise.
  void wait_initialised(Session& node) {
    std::string status;
    bool done = wait_until(std::chrono::seconds(init_timeout_s_), [&] {
      status = node.exec({"cat", path("status")}).out;
      return status.rfind("ready", 0) == 0 || status.rfind("error", 0) == 0;
    });
    if (done && status.rfind("ready", 0) == 0) return;
    std::string problem =
        done ? status.substr(7) : "never answered init within " + std::to_string(init_timeout_s_) + " s";
    while (!problem.empty() && problem.back() == '\n') problem.pop_back();
    std::string log = node.exec({"tail", "-n", "5", path("node.log")}).out;
    while (!log.empty() && log.back() == '\n') log.pop_back();
    for (size_t at; (at = log.find('\n')) != std::string::npos;) log.replace(at, 1, " | ");  // one line
    // The node program's own failure makes the run unknown (exit 2); the relay's is the harness's.
    bool relay_failed = problem.rfind("relay", 0) == 0;
    fail(relay_failed ? ErrorCode::kUnavailable : ErrorCode::kSystemStart,
         "maelstrom node " + node.node() + " (" + bin_ + "): " + problem +
             "; its stderr ends: " + (log.empty() ? "(empty)" : log));
  }

  std::string bin_, relay_, fault_, topology_;
  std::vector<std::string> args_;
  int port_ = 7700;
  int init_timeout_s_ = 10;
  std::shared_ptr<const Shared> shared_;
  std::atomic<int64_t> clients_made_{0};
};

}  // namespace

std::unique_ptr<Target> maelstrom_target(const Json& options) { return std::make_unique<MaelstromTarget>(options); }

}  // namespace faultline
