#include <iostream>

#include "harness/cli/commands.h"
#include "harness/cli/interrupt.h"
#include "results/serve.h"

namespace faultline {

void add_serve_command(CLI::App& app, int& exit_code) {
  struct Flags {
    std::string store = "store", bind = "127.0.0.1";
    int port = 8080;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the run store over HTTP for browsing reports (read-only)");
  cmd->add_option("--port", flags->port, "TCP port (default 8080; 0 picks a free one)");
  cmd->add_option("--store", flags->store, "Directory to serve (default ./store)");
  cmd->add_option("--bind", flags->bind, "Address to listen on (default 127.0.0.1: this machine only)");
  cmd->callback([flags, &exit_code] {
    StoreServer server(flags->store, flags->bind, flags->port);
    const std::atomic<bool>& interrupted = stop_on_interrupt();
    std::string host = flags->bind.find(':') == std::string::npos ? flags->bind : "[" + flags->bind + "]";
    std::cout << "serving " << flags->store << " at http://" << host << ":" << server.port() << "/ (Ctrl-C to stop)"
              << std::endl;
    server.serve(interrupted);
    exit_code = 0;
  });
}

}  // namespace faultline
