// A small read-only HTTP server for browsing the run store (`faultline serve`): GET and HEAD of
// files under one root directory, directory listings, nothing outside the root.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace faultline {

class StoreServer {
 public:
  // Listens on bind_address:port (port 0 picks a free one). Throws Error(kNotFound) when root is
  // not a directory, Error(kBadInput) for a bad address, Error(kUnavailable) when the port is taken.
  StoreServer(const std::filesystem::path& root, const std::string& bind_address, int port);
  ~StoreServer();
  StoreServer(const StoreServer&) = delete;
  StoreServer& operator=(const StoreServer&) = delete;

  int port() const { return port_; }

  // Answers requests (cpp-httplib, a pool of worker threads) until `stop` becomes true (checked
  // every 200 ms); returns once the server has stopped.
  // Paths that leave the root (.., symlinks pointing outside) get 403; directories without a
  // trailing slash are redirected; a directory shows its index.html, else a listing.
  void serve(const std::atomic<bool>& stop);

 private:
  std::filesystem::path root_;  // canonical
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
};

}  // namespace faultline
