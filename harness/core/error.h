// The one error type of faultline: a code that says what kind of failure it is, and a message that
// says what went wrong and what to do next. Thrown as an exception; the CLI turns it into one line
// on stderr and an exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace faultline {

enum class ErrorCode {
  kBadInput,     // malformed spec, flag, history or option: the user must fix the input (exit 254)
  kNotFound,     // a named file, node, workload, target or checker does not exist (exit 254)
  kIo,           // a local file could not be read or written
  kUnavailable,  // a host or service cannot be reached (connection refused, no route)
  kTimeout,      // an operation did not finish in time; its effect is unknown
  kAuth,         // SSH authentication failed
  kHostKey,      // SSH host key unknown or mismatched
  kRemote,       // a remote command ran and failed
  kCancelled,    // the run was interrupted (Ctrl-C)
  kSystemStart,  // the system under test did not start (crashed, never became ready): the run is
                 // unknown (exit 2), not a harness error
  kInternal,     // a bug in faultline
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }
  // 254 for problems with the user's input, 2 (unknown) for a system that did not start, 255 for
  // everything else (see DESIGN.md, exit codes).
  int exit_code() const {
    if (code_ == ErrorCode::kSystemStart) return 2;
    return code_ == ErrorCode::kBadInput || code_ == ErrorCode::kNotFound ? 254 : 255;
  }

 private:
  ErrorCode code_;
};

[[noreturn]] inline void fail(ErrorCode code, const std::string& message) { throw Error(code, message); }

}  // namespace faultline
