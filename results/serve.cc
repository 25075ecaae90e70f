#include "results/serve.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "harness/core/error.h"
#include "results/report_data.h"

namespace faultline {
namespace fs = std::filesystem;

namespace {

const size_t kMaxRequestHead = 16 * 1024;
const int kMaxConnections = 32;

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;          // for everything but files
  fs::path file;             // streamed when set
  std::string location;      // for redirects
};

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
  }
  return "Error";
}

Response error_page(int status, const std::string& detail) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::to_string(status) + " " + reason(status) + ": " + detail + "\n";
  return r;
}

std::string content_type(const fs::path& file) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"},  {".htm", "text/html; charset=utf-8"},
      {".json", "application/json"},          {".jsonl", "text/plain; charset=utf-8"},
      {".xml", "application/xml"},            {".svg", "image/svg+xml"},
      {".png", "image/png"},                  {".jpg", "image/jpeg"},
      {".gif", "image/gif"},                  {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"}, {".txt", "text/plain; charset=utf-8"},
      {".log", "text/plain; charset=utf-8"},  {".edn", "text/plain; charset=utf-8"},
      {".dot", "text/plain; charset=utf-8"},  {".md", "text/plain; charset=utf-8"},
      {".csv", "text/csv; charset=utf-8"},    {".gz", "application/gzip"}};
  auto it = types.find(file.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

// Decodes %XX escapes; false on a malformed escape or an encoded NUL.
bool percent_decode(const std::string& in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') { out += in[i]; continue; }
    if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(in[i + 2])))
      return false;
    char c = static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
    if (c == '\0') return false;
    out += c;
    i += 2;
  }
  return true;
}

bool inside(const fs::path& path, const fs::path& root) {
  auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end();
}

std::string listing(const fs::path& dir, const std::string& url) {
  std::vector<std::pair<std::string, bool>> entries;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) entries.push_back({e.path().filename().string(), e.is_directory()});
  std::sort(entries.begin(), entries.end());
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << html_escape(url)
      << " · faultline store</title></head>\n<body><h1>" << html_escape(url) << "</h1><ul>\n";
  if (url != "/") out << "<li><a href=\"../\">../</a></li>\n";
  for (const auto& [name, is_dir] : entries) {
    std::string shown = name + (is_dir ? "/" : "");
    out << "<li><a href=\"" << html_escape(url_path(shown)) << "\">" << html_escape(shown) << "</a></li>\n";
  }
  out << "</ul></body></html>\n";
  return out.str();
}

// What to answer for the path of a GET or HEAD request.
Response resolve(const fs::path& root, const std::string& target) {
  std::string raw = target.substr(0, target.find_first_of("?#"));
  if (raw.empty() || raw[0] != '/') return error_page(400, "the path must start with /");
  std::string decoded;
  if (!percent_decode(raw, decoded)) return error_page(400, "malformed %-escape in the path");
  fs::path path = root;
  std::istringstream segments(decoded);
  for (std::string segment; std::getline(segments, segment, '/');) {
    if (segment == "..") return error_page(403, "paths outside the store are not served");
    if (!segment.empty() && segment != ".") path /= segment;
  }
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  if (ec) return error_page(404, "no such file in the store");
  if (!inside(real, root)) return error_page(403, "paths outside the store are not served");
  if (fs::is_directory(real, ec)) {
    if (decoded.back() != '/') {
      Response r;
      r.status = 301;
      r.location = raw + "/";
      r.body = "moved to " + raw + "/\n";
      r.content_type = "text/plain; charset=utf-8";
      return r;
    }
    fs::path index = fs::canonical(real / "index.html", ec);
    if (!ec && inside(index, root) && fs::is_regular_file(index)) real = index;
    else {
      Response r;
      r.body = listing(real, decoded);
      return r;
    }
  }
  if (!fs::is_regular_file(real, ec)) return error_page(403, "not a regular file");
  Response r;
  r.file = real;
  r.content_type = content_type(real);
  return r;
}

bool send_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void send_response(int client, const Response& r, bool head_only) {
  int fd = -1;
  uint64_t length = r.body.size();
  Response sent = r;
  if (!r.file.empty()) {
    fd = ::open(r.file.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      if (fd >= 0) ::close(fd);
      fd = -1;
      sent = error_page(403, "the file cannot be read");
      length = sent.body.size();
    } else {
      length = static_cast<uint64_t>(st.st_size);
    }
  }
  std::string head = "HTTP/1.1 " + std::to_string(sent.status) + " " + reason(sent.status) +
                     "\r\nContent-Type: " + sent.content_type + "\r\nContent-Length: " + std::to_string(length) +
                     "\r\nConnection: close\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n";
  if (!sent.location.empty()) head += "Location: " + sent.location + "\r\n";
  if (sent.status == 405) head += "Allow: GET, HEAD\r\n";
  head += "\r\n";
  bool ok = send_all(client, head.data(), head.size());
  if (ok && !head_only) {
    if (fd < 0) {
      send_all(client, sent.body.data(), sent.body.size());
    } else {
      std::vector<char> buf(64 * 1024);
      for (ssize_t n; ok && (n = ::read(fd, buf.data(), buf.size())) > 0;) ok = send_all(client, buf.data(), static_cast<size_t>(n));
    }
  }
  if (fd >= 0) ::close(fd);
}

}  // namespace

StoreServer::StoreServer(const fs::path& root, const std::string& bind_address, int port) {
  std::error_code ec;
  root_ = fs::canonical(root, ec);
  if (ec || !fs::is_directory(root_))
    fail(ErrorCode::kNotFound, "store " + root.string() + " is not a directory; pass the store with --store DIR");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* addresses = nullptr;
  if (port < 0 || port > 65535 ||
      ::getaddrinfo(bind_address.c_str(), std::to_string(port).c_str(), &hints, &addresses) != 0)
    fail(ErrorCode::kBadInput, "cannot listen on " + bind_address + ":" + std::to_string(port) +
                                   ": give a numeric address (e.g. 127.0.0.1) and a port from 0 to 65535");
  listener_ = ::socket(addresses->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (listener_ >= 0) ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bool listening = listener_ >= 0 && ::bind(listener_, addresses->ai_addr, addresses->ai_addrlen) == 0 &&
                   ::listen(listener_, 64) == 0;
  int saved = errno;
  ::freeaddrinfo(addresses);
  if (!listening) {
    if (listener_ >= 0) ::close(listener_);
    fail(ErrorCode::kUnavailable, "cannot listen on " + bind_address + ":" + std::to_string(port) + ": " +
                                      std::strerror(saved) + "; choose another --port");
  }
  sockaddr_storage bound{};
  socklen_t size = sizeof bound;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &size);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

StoreServer::~StoreServer() {
  if (listener_ >= 0) ::close(listener_);
}

void StoreServer::serve(const std::atomic<bool>& stop) {
  // A thread per connection: browsers open connections they use later (or never), and one idle
  // connection must not hold up the others until its timeout.
  std::atomic<int> active{0};
  while (!stop) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    if (active >= kMaxConnections) {
      ::close(client);
      continue;
    }
    ++active;
    std::thread([this, client, &active] {
      answer(client);
      ::close(client);
      --active;
    }).detach();
  }
  // The threads use this object; the socket timeouts bound how long they can take.
  while (active > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void StoreServer::answer(int client) {
  // A client that stalls gives up its thread after a few seconds.
  timeval timeout{5, 0};
  ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  std::string request;
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() <= kMaxRequestHead) {
    ssize_t n = ::recv(client, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    request.append(buf, static_cast<size_t>(n));
  }
  if (request.find("\r\n\r\n") == std::string::npos)
    return send_response(client, error_page(431, "request head too large"), false);
  std::istringstream line(request.substr(0, request.find("\r\n")));
  std::string method, target, version;
  line >> method >> target >> version;
  if (version.rfind("HTTP/1.", 0) != 0) return send_response(client, error_page(400, "not an HTTP/1 request"), false);
  if (method != "GET" && method != "HEAD")
    return send_response(client, error_page(405, "only GET and HEAD are served"), false);
  send_response(client, resolve(root_, target), method == "HEAD");
}

}  // namespace faultline
