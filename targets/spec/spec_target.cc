#include "targets/spec/spec_target.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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
#include "harness/core/log.h"
#include "targets/node_daemon.h"
#include "targets/spec/process_client.h"

namespace faultline {

std::string expand_placeholders(const std::string& text, const std::map<std::string, std::string>& values,
                                const std::string& where) {
  std::string out;
  std::set<std::string> unknown;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    size_t close = text.find('}', i);
    if (ch != '{' || (i > 0 && text[i - 1] == '$') || close == std::string::npos) {
      out += ch;
      continue;
    }
    std::string name = text.substr(i + 1, close - i - 1);
    bool identifier = !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
    if (!identifier) {
      out += ch;
      continue;
    }
    auto it = values.find(name);
    if (it == values.end()) {
      unknown.insert("{" + name + "}");
    } else {
      out += it->second;
    }
    i = close;
  }
  if (!unknown.empty()) {
    std::string names, known;
    for (const auto& u : unknown) names += (names.empty() ? "" : ", ") + u;
    for (const auto& [k, v] : values) known += (known.empty() ? "{" : ", {") + k + "}";
    fail(ErrorCode::kBadInput, "unknown placeholder " + names + " in " + where + "; known here: " + known);
  }
  return out;
}

namespace {

using std::chrono::milliseconds;

// The spec file, checked.
struct SpecFile {
  std::filesystem::path path;
  std::string name, install, start, stop, data_dir, log, pidfile, pattern, ready_command;
  int port = 0, ready_port = 0;
  std::vector<std::string> logs, client, speaks;
  std::vector<std::pair<std::filesystem::path, std::string>> files;  // uploaded before install
  milliseconds ready_timeout = std::chrono::seconds(30);
};

const std::set<std::string> kNodePlaceholders = {"node",      "address",  "index",      "nodes",
                                                 "addresses", "peers",    "first_node", "first_address",
                                                 "port",      "data_dir", "log"};

std::string where(const SpecFile& s, const std::string& field) {
  return "field \"" + field + "\" of " + s.path.string();
}

std::string string_field(const Json& j, const SpecFile& s, const std::string& field, bool required = false) {
  auto it = j.find(field);
  if (it == j.end()) {
    if (required) fail(ErrorCode::kBadInput, s.path.string() + ": missing field \"" + field + "\"");
    return "";
  }
  if (!it->is_string() || (required && it->get<std::string>().empty()))
    fail(ErrorCode::kBadInput, where(s, field) + " must be a non-empty string");
  return it->get<std::string>();
}

std::vector<std::string> string_list(const Json& j, const SpecFile& s, const std::string& field) {
  if (!j.is_array()) fail(ErrorCode::kBadInput, where(s, field) + " must be a list of strings");
  std::vector<std::string> out;
  for (const Json& item : j) {
    if (!item.is_string()) fail(ErrorCode::kBadInput, where(s, field) + " must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// Node placeholder values for checking templates before anything starts.
std::map<std::string, std::string> sample_values() {
  std::map<std::string, std::string> v;
  for (const auto& p : kNodePlaceholders) v[p] = "x";
  return v;
}

SpecFile read_spec_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) fail(ErrorCode::kNotFound, "cannot read target spec " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  Json j = Json::parse(text.str(), nullptr, false);
  SpecFile s;
  s.path = path;
  if (j.is_discarded() || !j.is_object())
    fail(ErrorCode::kBadInput, path.string() + ": a target spec must be a JSON object");
  static const std::set<std::string> known = {"name",     "install",       "start",  "stop",    "port",
                                              "data-dir", "log",           "logs",   "pidfile", "process-pattern",
                                              "ready",    "ready-timeout", "client", "speaks",  "files"};
  for (const auto& [key, value] : j.items())
    if (!known.count(key))
      fail(ErrorCode::kBadInput,
           path.string() + ": unknown field \"" + key + "\"; see targets/spec/spec_target.h for the fields");
  s.name = j.contains("name") ? string_field(j, s, "name", true) : path.stem().string();
  s.install = string_field(j, s, "install");
  s.start = string_field(j, s, "start", true);
  s.stop = string_field(j, s, "stop");
  if (j.contains("port")) {
    if (!j["port"].is_number_integer()) fail(ErrorCode::kBadInput, where(s, "port") + " must be an integer");
    s.port = j["port"].get<int>();
  }
  std::string home = std::string(kNodeStorage) + "/" + s.name;
  s.data_dir = j.contains("data-dir") ? string_field(j, s, "data-dir", true) : home + "/data";
  s.log = j.contains("log") ? string_field(j, s, "log", true) : home + "/" + s.name + ".log";
  if (j.contains("logs")) s.logs = string_list(j["logs"], s, "logs");
  s.pidfile = string_field(j, s, "pidfile");
  s.pattern = string_field(j, s, "process-pattern");
  s.ready_port = s.port;
  if (j.contains("ready")) {
    const Json& r = j["ready"];
    if (r.is_object() && r.size() == 1 && r.contains("tcp") && r["tcp"].is_number_integer()) {
      s.ready_port = r["tcp"].get<int>();
    } else if (r.is_object() && r.size() == 1 && r.contains("command") && r["command"].is_string()) {
      s.ready_port = 0;
      s.ready_command = r["command"].get<std::string>();
    } else {
      fail(ErrorCode::kBadInput, where(s, "ready") + " must be {\"tcp\": port} or {\"command\": \"...\"}");
    }
  }
  if (j.contains("ready-timeout")) {
    if (!j["ready-timeout"].is_number() || j["ready-timeout"].get<double>() <= 0)
      fail(ErrorCode::kBadInput, where(s, "ready-timeout") + " must be a positive number of seconds");
    s.ready_timeout = milliseconds(static_cast<int64_t>(j["ready-timeout"].get<double>() * 1000));
  }
  if (!j.contains("speaks"))
    fail(ErrorCode::kBadInput, path.string() +
                                   ": missing field \"speaks\": the workload vocabularies its client "
                                   "speaks, e.g. [\"register\", \"cas-register\"]");
  s.speaks = string_list(j["speaks"], s, "speaks");
  if (j.contains("files")) {
    if (!j["files"].is_array()) fail(ErrorCode::kBadInput, where(s, "files") + " must be a list of {\"from\", \"to\"}");
    for (const Json& f : j["files"]) {
      if (!f.is_object() || !f.contains("from") || !f.contains("to") || !f["from"].is_string() || !f["to"].is_string())
        fail(ErrorCode::kBadInput, where(s, "files") +
                                       ": each entry is {\"from\": local path (relative to the spec "
                                       "file), \"to\": path on the node}, got " +
                                       f.dump());
      std::filesystem::path from = f["from"].get<std::string>();
      if (from.is_relative()) from = std::filesystem::absolute(path).parent_path() / from;
      if (!std::filesystem::is_regular_file(from))
        fail(ErrorCode::kNotFound, where(s, "files") + ": " + from.string() + " is not a file");
      s.files.emplace_back(from, f["to"].get<std::string>());
    }
  }
  if (!j.contains("client") || !j["client"].is_object() || !j["client"].contains("command"))
    fail(ErrorCode::kBadInput, path.string() + ": missing field \"client\": {\"command\": [program, args...]}");
  s.client = string_list(j["client"]["command"], s, "client.command");
  if (s.client.empty()) fail(ErrorCode::kBadInput, where(s, "client.command") + " must name a program");

  // Every template is checked now, so a typo fails before any node is touched.
  auto values = sample_values();
  for (const auto& [field, text] : std::vector<std::pair<std::string, std::string>>{{"install", s.install},
                                                                                    {"start", s.start},
                                                                                    {"stop", s.stop},
                                                                                    {"data-dir", s.data_dir},
                                                                                    {"log", s.log},
                                                                                    {"pidfile", s.pidfile},
                                                                                    {"process-pattern", s.pattern},
                                                                                    {"ready.command", s.ready_command}})
    expand_placeholders(text, values, where(s, field));
  for (const auto& l : s.logs) expand_placeholders(l, values, where(s, "logs"));
  for (auto& arg : s.client)
    arg = expand_placeholders(
        arg, {{"spec_dir", std::filesystem::absolute(path).parent_path().string()}, {"port", std::to_string(s.port)}},
        where(s, "client.command"));
  return s;
}

// Whether a TCP connection to address:port can be made within a second.
bool tcp_open(const std::string& address, int port) {
  addrinfo hints{}, *found = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
  bool open = false;
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    if (connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
      open = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int err = 0;
      socklen_t len = sizeof err;
      open = poll(&p, 1, 1000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
    ::close(fd);
  }
  freeaddrinfo(found);
  return open;
}

class SpecTarget : public Target, public Daemon {
 public:
  explicit SpecTarget(SpecFile spec) : spec_(std::move(spec)) {}

  std::string name() const override { return spec_.name; }
  std::vector<std::string> speaks() const override { return spec_.speaks; }
  Daemon* daemon() override { return this; }

  std::unique_ptr<Client> make_client() override { return process_client(program_); }

  void setup(const TestEnv& env) override {
    if (env.sessions.empty()) fail(ErrorCode::kBadInput, "the " + spec_.name + " target needs nodes");
    std::vector<Session*> sessions = env.sessions;
    auto addresses = values_or_throw(fan_out(sessions, [](Session* s) { return node_address(*s); }));
    auto program = std::make_shared<ClientProgram>();
    program->argv = spec_.client;
    program->stderr_dir = env.run_dir / "clients";
    program->op_timeout = milliseconds(static_cast<int64_t>(env.op_timeout_s * 900));
    program->log = [](const std::string& m) { log_warn(m); };
    program->on_response = [this](bool valid, const std::string& problem) { count_response(valid, problem); };
    for (size_t i = 0; i < sessions.size(); ++i) {
      program->addresses[sessions[i]->node()] = addresses[i];
      values_[sessions[i]->node()] = node_values(sessions, addresses, i);
    }
    program_ = program;
    values_or_throw(fan_out(sessions, [&](Session* s) {
      NodeDaemon d = daemon_of(*s);
      d.env = daemon_clock_env(env, *s);
      {
        std::lock_guard lock(mu_);
        daemons_[s->node()] = d;
      }
      stop_processes(*s);
      const auto& v = values_.at(s->node());
      s->check({"rm", "-rf", v.at("data_dir"), v.at("log")});
      s->check({"mkdir", "-p", v.at("data_dir")});
      for (const auto& [from, to] : spec_.files) {
        s->check({"mkdir", "-p", std::filesystem::path(to).parent_path().string()});
        s->upload(from, to);
      }
      if (!spec_.install.empty())
        s->check_script(expand(spec_.install, *s, "install"), {.timeout = std::chrono::minutes(10)});
      start_node_daemon(*s, d);
    }));
    values_or_throw(fan_out(sessions, [&](Session* s) { wait_ready(*s); }));
  }

  void teardown(const TestEnv& env) override {
    std::vector<Session*> sessions = env.sessions;
    auto stopped = fan_out(sessions, [&](Session* s) {
      if (!values_.count(s->node())) return;
      if (!spec_.stop.empty())
        std::ignore = s->exec_script(expand(spec_.stop, *s, "stop"), {.timeout = std::chrono::seconds(60)});
      stop_processes(*s);
      std::vector<std::string> logs = {values_.at(s->node()).at("log")};
      for (const auto& l : spec_.logs) logs.push_back(expand(l, *s, "logs"));
      download_node_logs(*s, env, logs);
    });
    values_or_throw(std::move(stopped));
    std::lock_guard lock(mu_);
    if (valid_responses_ == 0 && !first_problem_.empty())
      fail(ErrorCode::kRemote, "the client `" + spec_.client[0] + "` never gave a valid response: " + first_problem_ +
                                   " (see docs/client-protocol.md and " + (env.run_dir / "clients").string() + ")");
  }

  void kill(Session& node) override { signal(node, "KILL"); }
  void start(Session& node) override { start_node_daemon(node, daemon_of(node)); }
  void pause(Session& node) override { signal(node, "STOP"); }
  void resume(Session& node) override { signal(node, "CONT"); }

 private:
  std::map<std::string, std::string> node_values(const std::vector<Session*>& sessions,
                                                 const std::vector<std::string>& addresses, size_t i) {
    std::string nodes, all, peers;
    for (size_t k = 0; k < sessions.size(); ++k) {
      nodes += (k ? " " : "") + sessions[k]->node();
      all += (k ? " " : "") + addresses[k];
      if (k != i) peers += (peers.empty() ? "" : ",") + addresses[k];
    }
    std::map<std::string, std::string> v = {{"node", sessions[i]->node()},
                                            {"address", addresses[i]},
                                            {"index", std::to_string(i + 1)},
                                            {"nodes", nodes},
                                            {"addresses", all},
                                            {"peers", peers},
                                            {"first_node", sessions[0]->node()},
                                            {"first_address", addresses[0]},
                                            {"port", std::to_string(spec_.port)}};
    v["data_dir"] = expand_placeholders(spec_.data_dir, v, where(spec_, "data-dir"));
    v["log"] = expand_placeholders(spec_.log, v, where(spec_, "log"));
    return v;
  }

  std::string expand(const std::string& text, Session& node, const std::string& field) {
    return expand_placeholders(text, values_.at(node.node()), where(spec_, field));
  }

  NodeDaemon daemon_of(Session& node) {
    {
      std::lock_guard lock(mu_);
      if (auto it = daemons_.find(node.node()); it != daemons_.end()) return it->second;
    }
    auto it = values_.find(node.node());
    if (it == values_.end()) fail(ErrorCode::kNotFound, spec_.name + " was never set up on node " + node.node());
    std::string home = std::filesystem::path(it->second.at("log")).parent_path().string();
    return {expand(spec_.start, node, "start"), it->second.at("log"), home + "/faultline-" + spec_.name + ".pid", ""};
  }

  // Signals the system's processes however the spec says they are found.
  void signal(Session& node, const std::string& sig) {
    if (!spec_.pattern.empty()) {
      std::ignore = node.exec({"pkill", "-" + sig, "-f", expand(spec_.pattern, node, "process-pattern")});
    } else if (!spec_.pidfile.empty()) {
      std::string pidfile = shell_quote(expand(spec_.pidfile, node, "pidfile"));
      std::ignore = node.exec_script("[ -s " + pidfile + " ] && kill -s " + sig + " \"$(cat " + pidfile + ")\"");
    } else {
      signal_node_daemon(node, daemon_of(node), sig);
    }
  }

  // Stops what start began, and whatever the spec's pidfile or pattern names.
  void stop_processes(Session& node) {
    if (!spec_.pattern.empty() || !spec_.pidfile.empty()) signal(node, "KILL");
    stop_node_daemon(node, daemon_of(node));
  }

  void wait_ready(Session& node) {
    const auto& v = values_.at(node.node());
    std::string last;
    bool ready = wait_until(spec_.ready_timeout, [&] {
      expect_node_daemon_running(node, daemon_of(node), spec_.name);
      if (spec_.ready_port) {
        last = "nothing accepts connections on " + v.at("address") + ":" + std::to_string(spec_.ready_port);
        return tcp_open(v.at("address"), spec_.ready_port);
      }
      if (spec_.ready_command.empty()) return true;
      ExecResult r =
          node.exec_script(expand(spec_.ready_command, node, "ready.command"), {.timeout = std::chrono::seconds(10)});
      last = "the ready command exited with " + std::to_string(r.exit_code) + " " + r.err;
      return r.exit_code == 0;
    });
    if (ready) return;
    fail(ErrorCode::kUnavailable, spec_.name + " on " + node.node() + " was not ready within " +
                                      std::to_string(spec_.ready_timeout.count() / 1000.0).substr(0, 4) +
                                      " s: " + last + "; last lines of " + v.at("log") + ":\n" +
                                      node_daemon_log_tail(node, daemon_of(node)));
  }

  void count_response(bool valid, const std::string& problem) {
    std::lock_guard lock(mu_);
    if (valid) ++valid_responses_;
    if (!valid && first_problem_.empty()) first_problem_ = problem;
  }

  SpecFile spec_;
  std::shared_ptr<const ClientProgram> program_;
  std::map<std::string, std::map<std::string, std::string>> values_;  // node -> placeholders; set in setup
  std::mutex mu_;
  std::map<std::string, NodeDaemon> daemons_;
  int64_t valid_responses_ = 0;
  std::string first_problem_;
};

}  // namespace

std::unique_ptr<Target> spec_target(const Json& options) {
  for (const auto& [key, value] : options.items())
    if (key != "file")
      fail(ErrorCode::kBadInput, "bad spec target option \"" + key + "\"; known: file (the target spec's path)");
  if (!options.contains("file") || !options["file"].is_string())
    fail(ErrorCode::kBadInput,
         "the spec target needs --target-opt file=PATH (a JSON target spec, e.g. "
         "targets/redis/redis.json)");
  return std::make_unique<SpecTarget>(read_spec_file(options["file"].get<std::string>()));
}

}  // namespace faultline
