#include "harness/control/session.h"

#include "harness/control/shell.h"
#include "harness/core/error.h"

namespace faultline {

namespace {

// Keeps error messages one readable line even for long scripts.
std::string abbreviate(const std::string& text, size_t limit = 200) {
  std::string line;
  for (char c : text) line += (c == '\n' ? ' ' : c);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (line.size() > limit) line = line.substr(0, limit) + "...";
  return line;
}

}  // namespace

const std::string& Session::sudo_password() const {
  static const std::string none;
  return none;
}

ExecResult Session::exec(const std::vector<std::string>& argv, const ExecOptions& options) {
  return exec_script(shell_join(argv), options);
}

ExecResult Session::exec_script(const std::string& script, const ExecOptions& options) {
  std::string user = options.as_user;
  if (user.empty() && uses_sudo() && !options.as_login_user) user = "root";
  if (user.empty() || options.as_login_user)
    return run(script, options.stdin_data, options.timeout, options.idempotent);
  // The password goes first on stdin (-S) with an empty prompt; -k makes sudo always read it, so it
  // can never leak into the command's own stdin.
  const std::string& password = sudo_password();
  std::vector<std::string> sudo = {"sudo"};
  if (password.empty())
    sudo.push_back("-n");
  else
    sudo.insert(sudo.end(), {"-S", "-k", "-p", ""});
  sudo.insert(sudo.end(), {"-u", user, "--", "sh", "-c", script});
  std::string input = password.empty() ? options.stdin_data : password + "\n" + options.stdin_data;
  return run(shell_join(sudo), input, options.timeout, options.idempotent);
}

std::string Session::check(const std::vector<std::string>& argv, const ExecOptions& options) {
  return check_script(shell_join(argv), options);
}

std::string Session::check_script(const std::string& script, const ExecOptions& options) {
  ExecResult result = exec_script(script, options);
  if (result.exit_code != 0) {
    fail(ErrorCode::kRemote, node() + ": `" + abbreviate(script, 120) + "` exited with " +
                                 std::to_string(result.exit_code) + ": " +
                                 (result.err.empty() ? abbreviate(result.out) : abbreviate(result.err)));
  }
  return std::move(result.out);
}

}  // namespace faultline
