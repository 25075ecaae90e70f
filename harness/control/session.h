// Session: runs commands and moves files on one node. Implementations: SSH (remote.h opens them),
// local processes (local_session.h) and a recording fake for unit tests (recording_session.h).
// A session is opened once and reused; every method may be called from several threads at once.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace faultline {

struct ExecResult {
  int exit_code = 0;  // 128 + signal number when the command was killed by a signal
  std::string out;
  std::string err;
  // The node's clock (epoch seconds) when it received the command and when it replied, which
  // measure its offset as NTP does; 0 when unknown (no runner, or no bash 5 on the node).
  double node_received = 0, node_replied = 0;
};

struct ExecOptions {
  std::string stdin_data{};  // written to the command's stdin, followed by end-of-file
  // The command is killed (with its process group) after this long and exec throws kTimeout.
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
  // Non-empty: run as this user through sudo; the node's password, if any, goes on sudo's stdin.
  // Empty: as root, which on a node whose SSH user is not root means through sudo too.
  std::string as_user{};
  // Run as the SSH user itself, never through sudo: for quick reads that need no privilege and
  // whose timing matters (the clock).
  bool as_login_user = false;
  // The command may safely run twice: it is retried when the connection drops while it runs.
  bool idempotent = false;
};

class Session {
 public:
  virtual ~Session() = default;

  // The node's name, as used in error messages, histories and by targets.
  virtual const std::string& node() const = 0;

  // Runs argv (each argument quoted for the shell) and returns its exit code and output.
  // Throws Error: kTimeout (killed after options.timeout), kUnavailable (node unreachable).
  [[nodiscard]] ExecResult exec(const std::vector<std::string>& argv, const ExecOptions& options = {});
  // Runs a POSIX sh script; otherwise like exec.
  [[nodiscard]] ExecResult exec_script(const std::string& script, const ExecOptions& options = {});
  // Like exec/exec_script but returns stdout, and throws Error(kRemote) naming the node, the
  // command, the exit code and stderr when the exit code is not 0.
  std::string check(const std::vector<std::string>& argv, const ExecOptions& options = {});
  std::string check_script(const std::string& script, const ExecOptions& options = {});

  // Copies a local file to the node (replacing `remote`), keeping its permission bits.
  virtual void upload(const std::filesystem::path& local, const std::string& remote) = 0;
  // Copies a file from the node to `local` (replaced only once the copy is complete).
  virtual void download(const std::string& remote, const std::filesystem::path& local) = 0;

  // The node's login user is not root, so every command and file copy goes through sudo.
  virtual bool uses_sudo() const { return false; }

 protected:
  // Runs `command` with the node's shell; `stdin_data`, `timeout` and `idempotent` as in
  // ExecOptions. The only method implementations must provide for commands.
  virtual ExecResult run(const std::string& command, const std::string& stdin_data, std::chrono::milliseconds timeout,
                         bool idempotent) = 0;
  // The password sudo needs for ExecOptions::as_user; empty means sudo must not ask (-n).
  virtual const std::string& sudo_password() const;
};

}  // namespace faultline
