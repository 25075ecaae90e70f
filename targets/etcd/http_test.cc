// The etcd client's transport: the error mapping that
// decides fail (nothing was sent) versus info (it may have taken effect), against real loopback
// sockets.
#include "targets/etcd/http.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/core/error.h"

namespace faultline {
namespace {

// A loopback socket listening on an ephemeral port; `accept_none` leaves connections in the
// backlog, so a request is sent but never answered.
struct Listener {
  int fd = -1;
  int port = 0;
  Listener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd, 8);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~Listener() { close(fd); }
};

TEST(HttpJson, RefusedConnectionMeansNothingWasSent) {
  int port;
  {
    Listener gone;  // a port that was free a moment ago and is closed now
    port = gone.port;
  }
  HttpJson http;
  try {
    http.post("http://127.0.0.1:" + std::to_string(port) + "/v3/kv/put", Json::object(),
              std::chrono::milliseconds(500));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable) << e.what();
  }
}

TEST(HttpJson, NoReplyIsATimeoutWhoseEffectIsUnknown) {
  Listener silent;
  HttpJson http;
  try {
    http.post("http://127.0.0.1:" + std::to_string(silent.port) + "/v3/kv/put", Json::object(),
              std::chrono::milliseconds(300));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTimeout) << e.what();
  }
}

}  // namespace
}  // namespace faultline
