#include "harness/control/local_session.h"

#include <signal.h>
#include <sys/wait.h>

#include <utility>  // before Boost 1.74 asio, which uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/process.hpp>
#include <mutex>

#include "harness/core/error.h"

namespace faultline {

namespace bp = boost::process;
namespace asio = boost::asio;

namespace {

// Reads a pipe to end-of-file into `text` without blocking the other pipes.
void read_all(bp::async_pipe& pipe, std::string& text) {
  asio::async_read(pipe, asio::dynamic_buffer(text), [](const boost::system::error_code&, size_t) {});
}

void copy_replacing(const std::filesystem::path& from, const std::filesystem::path& to, const std::string& node) {
  std::error_code error;
  std::filesystem::path partial = to;
  partial += ".partial";
  std::filesystem::copy_file(from, partial, std::filesystem::copy_options::overwrite_existing, error);
  if (!error) std::filesystem::rename(partial, to, error);
  if (error) {
    std::filesystem::remove(partial, error);
    fail(ErrorCode::kIo, node + ": cannot copy " + from.string() + " to " + to.string() + ": " + error.message());
  }
}

}  // namespace

ExecResult LocalSession::run(const std::string& command, const std::string& stdin_data,
                             std::chrono::milliseconds timeout, bool) {
  // A command that exits without reading all its stdin must not kill the harness with SIGPIPE.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { signal(SIGPIPE, SIG_IGN); });
  asio::io_context io;
  bp::async_pipe in(io), out(io), err(io);
  bp::group group;  // the command and everything it starts, so a timeout kills them all
  ExecResult result;
  bp::child child;
  try {
    child = bp::child(bp::exe = "/bin/sh", bp::args = {"-c", command}, bp::std_in<in, bp::std_out> out,
                      bp::std_err > err, group);
  } catch (const std::exception& e) {
    fail(ErrorCode::kIo, node_ + ": cannot start /bin/sh: " + e.what());
  }
  if (stdin_data.empty()) {
    in.close();
  } else {
    asio::async_write(in, asio::buffer(stdin_data), [&](const boost::system::error_code&, size_t) { in.close(); });
  }
  read_all(out, result.out);
  read_all(err, result.err);
  io.run_for(timeout);
  if (!io.stopped()) {
    std::error_code ignored;
    group.terminate(ignored);
    child.wait(ignored);
    fail(ErrorCode::kTimeout, node_ + ": command timed out after " + std::to_string(timeout.count()) +
                                  " ms and was killed: " + command.substr(0, 120));
  }
  child.wait();
  group.detach();  // background processes the command started on purpose live on
  int status = child.native_exit_code();
  result.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  return result;
}

void LocalSession::upload(const std::filesystem::path& local, const std::string& remote) {
  copy_replacing(local, remote, node_);
}

void LocalSession::download(const std::string& remote, const std::filesystem::path& local) {
  copy_replacing(remote, local, node_);
}

}  // namespace faultline
