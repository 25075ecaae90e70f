#include "targets/spec/process_client.h"

#include <algorithm>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "harness/core/error.h"

extern char** environ;

namespace faultline {
namespace {

using Clock = std::chrono::steady_clock;

std::string first_chars(const std::string& text, size_t n = 200) {
  return text.size() <= n ? text : text.substr(0, n) + "...";
}

class ProcessClient : public Client {
 public:
  explicit ProcessClient(std::shared_ptr<const ClientProgram> program) : program_(std::move(program)) {}
  ~ProcessClient() override { close(); }

  void open(const std::string& node) override {
    static std::once_flag ignore_sigpipe;  // a dead client must not kill faultline with SIGPIPE
    std::call_once(ignore_sigpipe, [] { signal(SIGPIPE, SIG_IGN); });
    node_ = node;
    auto it = program_->addresses.find(node);
    address_ = it == program_->addresses.end() ? node : it->second;
    if (int failures = program_->failures_in_a_row.load(); failures > 0) {
      auto wait = std::chrono::milliseconds(std::min<int64_t>(2000, int64_t{50} << std::min(failures - 1, 6)));
      if (program_->log)
        program_->log("restarting the client for " + node + " in " + std::to_string(wait.count()) + " ms after " +
                      std::to_string(failures) + " failed exchanges in a row");
      std::this_thread::sleep_for(wait);
    }
    spawn();
  }

  // Setup data goes to the client as an op {"f": "setup", "value": prepare} (docs/client-protocol.md).
  void setup(const Json& prepare) override {
    if (prepare.empty()) return;
    Op op;
    op.f = "setup";
    op.value = prepare;
    Op done = invoke(op);
    if (!done.is_ok())
      fail(ErrorCode::kRemote,
           "the client could not set up the workload's data " + prepare.dump() + ": " +
               (done.error.is_null() ? std::string("it answered ") + std::string(to_string(done.type))
                                     : done.error.dump()));
  }

  Op invoke(const Op& op) override {
    Json request = {{"f", op.f}, {"value", op.value}, {"node", node_}, {"address", address_}, {"process", op.process}};
    std::string problem;
    std::string line;
    if (!write_line(request.dump() + "\n")) {
      problem = "client process exited before it read the request" + exit_status();
    } else {
      problem = read_line(line);
    }
    if (problem.empty()) {
      Json reply = Json::parse(line, nullptr, false);
      std::string type = reply.is_object() && reply.contains("type") && reply["type"].is_string()
                             ? reply["type"].get<std::string>()
                             : "";
      if (type == "ok" || type == "fail" || type == "info") {
        report(true, "");
        Op done = complete(op, parse_type(type), reply.contains("value") ? reply["value"] : op.value);
        if (reply.contains("error") && !reply["error"].is_null()) done.error = reply["error"];
        return done;
      }
      problem = "client wrote a line that is not a response {\"type\": ok|fail|info, ...}: " + first_chars(line);
    }
    problem += last_stderr_line();
    report(false, problem);
    close();
    return complete_error(op, OpType::kInfo, problem);
  }

  void close() override {
    if (pid_ <= 0) return;
    ::close(in_);
    ::close(out_);
    // Closing stdin asks it to exit; a client that ignores that is killed after a moment.
    auto deadline = Clock::now() + std::chrono::milliseconds(500);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() >= deadline) {
        ::kill(-pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      usleep(10000);
    }
    pid_ = -1;
  }

 private:
  void spawn() {
    int to_child[2], from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0) fail(ErrorCode::kIo, std::string("pipe: ") + strerror(errno));
    if (pipe2(from_child, O_CLOEXEC) != 0) {
      ::close(to_child[0]);
      ::close(to_child[1]);
      fail(ErrorCode::kIo, std::string("pipe: ") + strerror(errno));
    }
    static std::atomic<int> serial{0};
    std::filesystem::create_directories(program_->stderr_dir);
    std::string err_file = (program_->stderr_dir / ("client-" + std::to_string(serial++) + ".stderr")).string();
    err_file_ = err_file;

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group, so a kill reaches whatever the client started too.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char*> args;
    for (const auto& a : program_->argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(to_child[0]);
    ::close(from_child[1]);
    if (rc != 0) {
      ::close(to_child[1]);
      ::close(from_child[0]);
      std::string problem = "cannot start client " + program_->argv[0] + ": " + strerror(rc);
      report(false, problem);
      fail(ErrorCode::kNotFound, problem);
    }
    pid_ = pid;
    in_ = to_child[1];
    out_ = from_child[0];
    buffer_.clear();
  }

  bool write_line(const std::string& text) {
    for (size_t done = 0; done < text.size();) {
      ssize_t n = ::write(in_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads one line into `line`; returns what went wrong, or "" on success.
  std::string read_line(std::string& line) {
    auto deadline = Clock::now() + program_->op_timeout;
    while (true) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return "";
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return "client did not answer within " + std::to_string(program_->op_timeout.count()) + " ms";
      pollfd p{out_, POLLIN, 0};
      int ready = poll(&p, 1, static_cast<int>(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) continue;
      char chunk[4096];
      ssize_t n = ::read(out_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return "client process exited without answering" + exit_status();
      buffer_.append(chunk, static_cast<size_t>(n));
      if (buffer_.size() > (64 << 20)) return "client wrote more than 64 MB without a newline";
    }
  }

  // " (exit code N)" or " (signal N)" once the process is gone; waits briefly for it.
  std::string exit_status() {
    int status = 0;
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        ::close(in_);
        ::close(out_);
        if (WIFEXITED(status)) return " (exit code " + std::to_string(WEXITSTATUS(status)) + ")";
        return " (signal " + std::to_string(WTERMSIG(status)) + ")";
      }
      usleep(10000);
    }
    return "";
  }

  static OpType parse_type(const std::string& type) {
    return type == "ok" ? OpType::kOk : type == "fail" ? OpType::kFail : OpType::kInfo;
  }

  void report(bool valid, const std::string& problem) {
    if (valid)
      program_->failures_in_a_row = 0;
    else
      ++program_->failures_in_a_row;
    if (program_->on_response) program_->on_response(valid, problem);
  }

  // "; its last stderr line: …" from the process's stderr file, or "".
  std::string last_stderr_line() const {
    std::ifstream in(err_file_);
    std::string line, last;
    while (std::getline(in, line))
      if (!line.empty()) last = line;
    return last.empty() ? "" : "; its last stderr line: " + first_chars(last);
  }

  std::shared_ptr<const ClientProgram> program_;
  std::string node_, address_, err_file_;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buffer_;
};

}  // namespace

std::unique_ptr<Client> process_client(std::shared_ptr<const ClientProgram> program) {
  return std::make_unique<ProcessClient>(std::move(program));
}

}  // namespace faultline
