// The store server on an ephemeral loopback port: files with their content types, directory
// redirects, index pages and listings, and refusal of every way out of the store.
#include "results/serve.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "harness/core/error.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

struct Reply {
  int status = 0;
  std::string head, body;
};

// Sends one raw request line to 127.0.0.1:port and reads the whole reply.
Reply request(int port, const std::string& request_line) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string req = request_line + "\r\nHost: localhost\r\n\r\n";
  EXPECT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  std::string reply;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) reply.append(buf, static_cast<size_t>(n));
  ::close(fd);
  Reply r;
  size_t split = reply.find("\r\n\r\n");
  r.head = reply.substr(0, split);
  r.body = split == std::string::npos ? "" : reply.substr(split + 4);
  if (reply.size() > 12) r.status = std::stoi(reply.substr(9, 3));
  return r;
}

class Serve : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("faultline-serve-" + std::to_string(getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    store_ = base_ / "store";
    fs::create_directories(store_ / "reg" / "20260101T000000.000Z");
    fs::create_directories(store_ / "campaigns" / "c1");
    write(store_ / "reg" / "20260101T000000.000Z" / "report.html", "<html>the report</html>");
    write(store_ / "reg" / "20260101T000000.000Z" / "results.json", "{\"valid\": \"valid\"}");
    write(store_ / "campaigns" / "c1" / "index.html", "<html>campaign index</html>");
    write(store_ / "name with space.txt", "spaced");
    write(base_ / "secret.txt", "TOP-SECRET");
    fs::create_directory_symlink("reg/20260101T000000.000Z", store_ / "latest");
    fs::create_symlink(base_ / "secret.txt", store_ / "escape.txt");
    fs::create_directory_symlink(base_, store_ / "escape-dir");
    server_ = std::make_unique<StoreServer>(store_, "127.0.0.1", 0);
    thread_ = std::thread([this] { server_->serve(stop_); });
  }
  void TearDown() override {
    stop_ = true;
    thread_.join();
    server_.reset();
    fs::remove_all(base_);
  }
  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  Reply get(const std::string& path) { return request(server_->port(), "GET " + path + " HTTP/1.1"); }

  fs::path base_, store_;
  std::unique_ptr<StoreServer> server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(Serve, ServesFilesWithTheirContentTypes) {
  ASSERT_GT(server_->port(), 0);
  Reply r = get("/reg/20260101T000000.000Z/report.html");
  EXPECT_EQ(r.status, 200) << r.head;
  EXPECT_EQ(r.body, "<html>the report</html>");
  EXPECT_NE(r.head.find("Content-Type: text/html; charset=utf-8"), std::string::npos) << r.head;
  EXPECT_NE(r.head.find("Content-Length: 23"), std::string::npos) << r.head;
  r = get("/latest/results.json?x=1");  // the store's own symlinks stay inside it
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.head.find("Content-Type: application/json"), std::string::npos) << r.head;
  EXPECT_EQ(get("/name%20with%20space.txt").body, "spaced");
  r = request(server_->port(), "HEAD /latest/report.html HTTP/1.1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
}

TEST_F(Serve, DirectoriesRedirectThenShowTheirIndexOrAListing) {
  Reply r = get("/campaigns/c1");
  EXPECT_EQ(r.status, 301);
  EXPECT_NE(r.head.find("Location: /campaigns/c1/"), std::string::npos) << r.head;
  EXPECT_EQ(get("/campaigns/c1/").body, "<html>campaign index</html>");
  r = get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("href=\"reg/\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("href=\"name%20with%20space.txt\""), std::string::npos) << r.body;
}

TEST_F(Serve, RefusesEveryPathOutOfTheStore) {
  for (const char* path : {"/../secret.txt", "/../etc/passwd", "/reg/../../secret.txt", "/%2e%2e/secret.txt",
                           "/..%2fsecret.txt", "/escape.txt", "/escape-dir/secret.txt", "/escape-dir/"}) {
    Reply r = get(path);
    EXPECT_TRUE(r.status == 403 || r.status == 404) << path << " -> " << r.head;
    EXPECT_EQ(r.body.find("TOP-SECRET"), std::string::npos) << path << " leaked: " << r.body;
  }
  EXPECT_EQ(get("/escape.txt").status, 403);
  EXPECT_EQ(get("/../etc/passwd").status, 403);
  EXPECT_EQ(get("/etc/passwd").status, 404);
  EXPECT_EQ(request(server_->port(), "GET http://localhost/../secret.txt HTTP/1.1").status, 400);
  EXPECT_EQ(get("/%00").status, 400);
}

TEST_F(Serve, AnIdleConnectionDoesNotHoldUpOthers) {
  int idle = ::socket(AF_INET, SOCK_STREAM, 0);  // like a browser's preconnect: connects, says nothing
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(idle, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(get("/latest/report.html").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  ::close(idle);
}

TEST_F(Serve, OnlyGetAndHead) {
  Reply r = request(server_->port(), "POST /latest/report.html HTTP/1.1");
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(r.head.find("Allow: GET, HEAD"), std::string::npos);
  EXPECT_EQ(request(server_->port(), "GARBAGE").status, 400);
}

TEST(ServeSetup, RejectsAMissingStoreAndATakenPort) {
  EXPECT_THROW(StoreServer("/nonexistent/store", "127.0.0.1", 0), Error);
  fs::path dir = fs::temp_directory_path();
  StoreServer first(dir, "127.0.0.1", 0);
  EXPECT_THROW(StoreServer(dir, "127.0.0.1", first.port()), Error);
  EXPECT_THROW(StoreServer(dir, "localhost-not-numeric", 0), Error);
}

}  // namespace
}  // namespace faultline
