// faultline-maelstrom-relay: runs one Maelstrom node binary on a node and owns its stdin/stdout.
// Messages the binary writes go to peers over TCP on the node network (one outgoing connection per
// peer, re-dialled after faults), to clients connected from the controller, or to the Maelstrom
// services this relay hosts (on the first node) or forwards to. Every message is logged with its
// time to a JSONL file. The binary's stderr goes to the relay's stderr (the node log).
//
// Usage: relay --node ID --listen ADDR:PORT --status FILE --binpid FILE --messages FILE
//              [--peer ID=ADDR:PORT]... [--services-at ID] [--host-services] [--service-fault F]
//              [--topology JSON] -- PROGRAM ARGS...
// SIGUSR1 restarts the binary after it was killed (and sends init again).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "targets/maelstrom/services.h"

using Json = nlohmann::json;

namespace {

const std::set<std::string>& kServices = faultline::maelstrom::service_names();

std::string node_id, status_file, binpid_file, services_at, service_fault;
bool host_services = false;
Json topology;
std::vector<std::string> program;
std::mutex log_mu;
FILE* messages = nullptr;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One line per message event: recv (arrived from the network), deliver (written to the binary),
// send (written to the network), drop (could not be carried), with the message.
void log_event(const char* event, const Json& msg, const std::string& note = "") {
  Json line = {{"time", now_ns()}, {"node", node_id}, {"event", event}, {"msg", msg}};
  if (!note.empty()) line["note"] = note;
  std::lock_guard lock(log_mu);
  fprintf(messages, "%s\n", line.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
  fflush(messages);
}

void write_status(const std::string& text) {
  std::string tmp = status_file + ".tmp";
  std::ofstream(tmp) << text << "\n";
  rename(tmp.c_str(), status_file.c_str());
}

bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads newline-terminated lines from a descriptor.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  bool next(std::string& line) {
    while (true) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return true;
      }
      char chunk[65536];
      ssize_t n = read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buf_;
};

// ---- the binary ----
std::mutex bin_mu;
int bin_stdin = -1;
pid_t bin_pid = -1;

void deliver(const Json& msg) {
  std::lock_guard lock(bin_mu);
  if (bin_stdin < 0) {
    log_event("drop", msg, "the node binary is not running");
    return;
  }
  log_event("deliver", msg);
  if (!write_all(bin_stdin, msg.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n"))
    log_event("drop", msg, "cannot write to the node binary");
}

// ---- peers ----
struct Peer {
  std::string id, host;
  int port = 0;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Json> queue;
  int fd = -1;
};
std::map<std::string, std::unique_ptr<Peer>> peers;

int dial(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc < 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    rc = (poll(&p, 1, 500) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) ? 0 : -1;
  }
  if (rc < 0) {
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Unacknowledged data older than a second breaks the connection, so a partition loses messages
  // (as a partitioned network does) instead of TCP delivering them all after the heal.
  unsigned timeout_ms = 1000;
  setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout_ms, sizeof timeout_ms);
  return fd;
}

void peer_loop(Peer* p) {
  auto last_failure = std::chrono::steady_clock::now() - std::chrono::seconds(10);
  while (true) {
    Json msg;
    {
      std::unique_lock lock(p->mu);
      p->cv.wait(lock, [&] { return !p->queue.empty(); });
      msg = std::move(p->queue.front());
      p->queue.pop_front();
    }
    if (p->fd < 0) {
      // After a failed dial, messages are dropped for a moment rather than queued behind dials.
      if (std::chrono::steady_clock::now() - last_failure < std::chrono::milliseconds(200)) {
        log_event("drop", msg, "no connection to " + p->id);
        continue;
      }
      p->fd = dial(p->host, p->port);
      if (p->fd < 0) {
        last_failure = std::chrono::steady_clock::now();
        log_event("drop", msg, "cannot connect to " + p->id);
        continue;
      }
    }
    if (!write_all(p->fd, msg.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n")) {
      close(p->fd);
      p->fd = -1;
      last_failure = std::chrono::steady_clock::now();
      log_event("drop", msg, "connection to " + p->id + " broke");
      continue;
    }
    log_event("send", msg);
  }
}

void to_peer(const std::string& id, const Json& msg) {
  Peer* p = peers.at(id).get();
  std::lock_guard lock(p->mu);
  p->queue.push_back(msg);
  p->cv.notify_one();
}

// ---- clients (connections from the controller, by client id) ----
std::mutex clients_mu;
std::map<std::string, int> clients;

void to_client(const std::string& id, const Json& msg) {
  std::lock_guard lock(clients_mu);
  auto it = clients.find(id);
  if (it == clients.end() || !write_all(it->second, msg.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n")) {
    log_event("drop", msg, "client " + id + " is not connected");
    return;
  }
  log_event("send", msg);
}

// ---- services (hosted by one relay, services.cc) ----
std::unique_ptr<faultline::maelstrom::Services> services;

// Routes a message that is not for the local binary.
void route(const Json& msg) {
  std::string dest = msg.value("dest", "");
  if (kServices.count(dest)) {
    if (host_services) {
      Json reply = services->serve(msg);
      log_event("recv", msg);
      std::string to = reply.value("dest", "");
      if (to == node_id)
        deliver(reply);
      else if (peers.count(to))
        to_peer(to, reply);
      else
        log_event("drop", reply, "unknown destination");
    } else if (peers.count(services_at)) {
      to_peer(services_at, msg);
    } else {
      log_event("drop", msg, "no node hosts the services");
    }
  } else if (peers.count(dest)) {
    to_peer(dest, msg);
  } else {
    to_client(dest, msg);
  }
}

// A connection from a peer relay or a client: each line is a message.
void connection_loop(int fd) {
  LineReader in(fd);
  std::string line;
  std::string client;
  while (in.next(line)) {
    Json msg = Json::parse(line, nullptr, false);
    if (msg.is_discarded() || !msg.is_object() || !msg.contains("body")) continue;
    std::string src = msg.value("src", ""), dest = msg.value("dest", "");
    if (!peers.count(src) && !kServices.count(src) && src != node_id && client != src) {
      std::lock_guard lock(clients_mu);
      clients[src] = fd;
      client = src;
    }
    if (dest == node_id) {
      log_event("recv", msg);
      deliver(msg);
    } else {
      route(msg);
    }
  }
  std::lock_guard lock(clients_mu);
  if (!client.empty() && clients[client] == fd) clients.erase(client);
  close(fd);
}

void accept_loop(int listener) {
  while (true) {
    int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::thread(connection_loop, fd).detach();
  }
}

// ---- running the binary ----
std::atomic<bool> restart_requested{false};
int64_t next_internal_id = 1;

// Starts the binary, sends init (and the topology), and carries its stdout until it exits.
// Returns whether init was answered.
bool run_binary(const std::vector<std::string>& all_nodes) {
  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
    write_status("error: cannot create pipes");
    exit(1);
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    signal(SIGPIPE, SIG_DFL);
    std::vector<char*> argv;
    for (auto& a : program) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  {
    std::lock_guard lock(bin_mu);
    bin_stdin = in_pipe[1];
    bin_pid = pid;
  }
  std::ofstream(binpid_file) << pid << "\n";
  fprintf(stderr, "relay: started %s as pid %d\n", program[0].c_str(), pid);
  int64_t init_id = next_internal_id++;
  deliver({{"src", "c0"},
           {"dest", node_id},
           {"body", {{"type", "init"}, {"msg_id", init_id}, {"node_id", node_id}, {"node_ids", all_nodes}}}});
  bool initialised = false, reported = false;
  LineReader out(out_pipe[0]);
  std::string line;
  while (out.next(line)) {
    Json msg = Json::parse(line, nullptr, false);
    if (msg.is_discarded() || !msg.is_object() || !msg.contains("dest") || !msg.contains("body") ||
        !msg["body"].is_object()) {
      fprintf(stderr, "relay: not a message on stdout: %s\n", line.c_str());
      if (!initialised && !reported) write_status("error: printed a non-message on stdout: " + line.substr(0, 200));
      reported = true;
      continue;
    }
    if (msg.value("dest", "") == "c0") {  // replies to the relay's own messages
      log_event("recv", msg);
      if (msg["body"].value("type", "") == "init_ok" && !initialised) {
        initialised = true;
        write_status("ready");
        if (!topology.is_null())
          deliver({{"src", "c0"},
                   {"dest", node_id},
                   {"body", {{"type", "topology"}, {"msg_id", next_internal_id++}, {"topology", topology}}}});
      }
      continue;
    }
    log_event("out", msg);
    route(msg);
  }
  {
    std::lock_guard lock(bin_mu);
    close(bin_stdin);
    bin_stdin = -1;
    bin_pid = -1;
  }
  close(out_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::string how = WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                        : "status " + std::to_string(WEXITSTATUS(status));
  fprintf(stderr, "relay: %s exited with %s\n", program[0].c_str(), how.c_str());
  if (!initialised && !reported) write_status("error: exited with " + how + " before answering init");
  return initialised;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen_at, messages_file;
  std::vector<std::string> all_nodes;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        fprintf(stderr, "relay: %s needs a value\n", a.c_str());
        exit(2);
      }
      return argv[++i];
    };
    if (a == "--") {
      ++i;
      break;
    } else if (a == "--node")
      node_id = value();
    else if (a == "--listen")
      listen_at = value();
    else if (a == "--status")
      status_file = value();
    else if (a == "--binpid")
      binpid_file = value();
    else if (a == "--messages")
      messages_file = value();
    else if (a == "--services-at")
      services_at = value();
    else if (a == "--host-services")
      host_services = true;
    else if (a == "--service-fault")
      service_fault = value();
    else if (a == "--topology")
      topology = Json::parse(value());
    else if (a == "--peer") {
      std::string v = value();
      size_t eq = v.find('='), colon = v.rfind(':');
      auto p = std::make_unique<Peer>();
      p->id = v.substr(0, eq);
      p->host = v.substr(eq + 1, colon - eq - 1);
      p->port = std::stoi(v.substr(colon + 1));
      all_nodes.push_back(p->id);
      peers[p->id] = std::move(p);
    } else {
      fprintf(stderr, "relay: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  for (; i < argc; ++i) program.push_back(argv[i]);
  if (node_id.empty() || listen_at.empty() || status_file.empty() || program.empty()) {
    fprintf(stderr, "relay: needs --node, --listen, --status and a program after --\n");
    return 2;
  }
  if (!service_fault.empty() && !faultline::maelstrom::service_faults().count(service_fault)) {
    fprintf(stderr, "relay: unknown --service-fault %s\n", service_fault.c_str());
    return 2;
  }
  services = std::make_unique<faultline::maelstrom::Services>(service_fault);
  all_nodes.push_back(node_id);
  std::sort(all_nodes.begin(), all_nodes.end());
  signal(SIGPIPE, SIG_IGN);
  // SIGUSR1 (restart) is taken synchronously by sigwait below.
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &usr1, nullptr);

  messages = fopen(messages_file.c_str(), "a");
  if (!messages) {
    fprintf(stderr, "relay: cannot open %s\n", messages_file.c_str());
    return 1;
  }
  size_t colon = listen_at.rfind(':');
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(listen_at.substr(colon + 1))));
  inet_pton(AF_INET, listen_at.substr(0, colon).c_str(), &addr.sin_addr);
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 64) != 0) {
    write_status(std::string("error: relay cannot listen on ") + listen_at + ": " + strerror(errno));
    return 1;
  }
  for (auto& [id, p] : peers) std::thread(peer_loop, p.get()).detach();
  std::thread(accept_loop, listener).detach();

  bool ever_initialised = false;
  while (true) {
    bool ok = run_binary(all_nodes);
    if (!ok && !ever_initialised) return 1;  // a node that cannot start is reported, not retried
    ever_initialised = ever_initialised || ok;
    int sig = 0;
    sigwait(&usr1, &sig);
  }
}
