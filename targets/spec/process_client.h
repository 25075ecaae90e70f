// A Client that is a separate program, in any language, speaking faultline's line-delimited JSON
// protocol on its stdin/stdout (docs/client-protocol.md). One process per worker, started on the
// controller; a process that hangs past the op timeout, writes garbage or dies is killed, the op
// completes as info, and the next op starts a fresh process.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "targets/target.h"

namespace faultline {

struct ClientProgram {
  std::vector<std::string> argv;                 // argv[0] is looked up on PATH
  std::filesystem::path stderr_dir;              // each process's stderr goes to a file in here
  std::map<std::string, std::string> addresses;  // node -> address, sent with every request
  std::chrono::milliseconds op_timeout = std::chrono::seconds(10);
  // Told about every exchange: whether the response was valid, and what went wrong if not.
  std::function<void(bool valid, const std::string& problem)> on_response;
  // Failed exchanges in a row, over all clients: each restart waits longer (50 ms doubling, at most
  // 2 s), so a client that dies at once is not restarted in a tight loop.
  mutable std::atomic<int> failures_in_a_row{0};
  std::function<void(const std::string& message)> log;  // restarts are logged here (may be empty)
};

// A client running `program`. The process starts in open(node) and is killed in close().
std::unique_ptr<Client> process_client(std::shared_ptr<const ClientProgram> program);

}  // namespace faultline
