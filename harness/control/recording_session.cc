#include "harness/control/recording_session.h"

namespace faultline {

void RecordingSession::respond(std::string pattern, std::variant<ExecResult, Error> reply) {
  std::lock_guard lock(mutex_);
  replies_.emplace_back(std::move(pattern), std::move(reply));
}

std::vector<RecordingSession::Call> RecordingSession::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::vector<std::string> RecordingSession::commands() const {
  std::vector<std::string> commands;
  for (const auto& call : calls()) commands.push_back(call.command);
  return commands;
}

ExecResult RecordingSession::run(const std::string& command, const std::string& stdin_data, std::chrono::milliseconds,
                                 bool) {
  std::lock_guard lock(mutex_);
  calls_.push_back({command, stdin_data});
  for (const auto& [pattern, reply] : replies_) {
    if (command.find(pattern) == std::string::npos) continue;
    if (const auto* error = std::get_if<Error>(&reply)) throw *error;
    return std::get<ExecResult>(reply);
  }
  return {};
}

void RecordingSession::upload(const std::filesystem::path& local, const std::string& remote) {
  std::lock_guard lock(mutex_);
  calls_.push_back({"upload " + local.string() + " " + remote, ""});
}

void RecordingSession::download(const std::string& remote, const std::filesystem::path& local) {
  std::lock_guard lock(mutex_);
  calls_.push_back({"download " + remote + " " + local.string(), ""});
}

}  // namespace faultline
