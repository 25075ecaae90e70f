// RecordingSession: a Session for unit tests that runs nothing. It records every command, stdin,
// upload and download, and answers commands with replies set up by the test.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "harness/control/session.h"
#include "harness/core/error.h"

namespace faultline {

class RecordingSession final : public Session {
 public:
  struct Call {
    std::string command;  // the full shell command line, or "upload L R" / "download R L"
    std::string stdin_data;
  };

  // `uses_sudo`: the node's login user is not root, so every command goes through sudo.
  explicit RecordingSession(std::string node, std::string sudo_password = {}, bool uses_sudo = false)
      : node_(std::move(node)), sudo_password_(std::move(sudo_password)), uses_sudo_(uses_sudo) {}

  // Commands containing `pattern` get `reply`: an ExecResult, or an Error that exec throws.
  // The first matching pattern wins; commands matching none exit 0 with no output.
  void respond(std::string pattern, std::variant<ExecResult, Error> reply);
  // Everything called so far, in order.
  std::vector<Call> calls() const;
  // Just the command lines of calls().
  std::vector<std::string> commands() const;

  const std::string& node() const override { return node_; }
  void upload(const std::filesystem::path& local, const std::string& remote) override;
  void download(const std::string& remote, const std::filesystem::path& local) override;
  bool uses_sudo() const override { return uses_sudo_; }

 protected:
  ExecResult run(const std::string& command, const std::string& stdin_data, std::chrono::milliseconds timeout,
                 bool idempotent) override;
  const std::string& sudo_password() const override { return sudo_password_; }

 private:
  std::string node_;
  std::string sudo_password_;
  bool uses_sudo_;
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::variant<ExecResult, Error>>> replies_;
  std::vector<Call> calls_;
};

}  // namespace faultline
