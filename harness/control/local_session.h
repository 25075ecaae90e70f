// LocalSession: a Session whose commands run on this machine (the controller) with /bin/sh.
#pragma once

#include <string>

#include "harness/control/session.h"

namespace faultline {

class LocalSession final : public Session {
 public:
  explicit LocalSession(std::string node = "local") : node_(std::move(node)) {}
  const std::string& node() const override { return node_; }
  void upload(const std::filesystem::path& local, const std::string& remote) override;
  void download(const std::string& remote, const std::filesystem::path& local) override;

 protected:
  ExecResult run(const std::string& command, const std::string& stdin_data, std::chrono::milliseconds timeout,
                 bool idempotent) override;

 private:
  std::string node_;
};

}  // namespace faultline
