#include "results/serve.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "harness/core/error.h"
#include "results/report_data.h"

namespace faultline {
namespace fs = std::filesystem;

namespace {

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;      // for everything but files
  fs::path file;         // streamed when set
  std::string location;  // for redirects
};

const char* reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
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
  static const std::map<std::string, std::string> types = {{".html", "text/html; charset=utf-8"},
                                                           {".htm", "text/html; charset=utf-8"},
                                                           {".json", "application/json"},
                                                           {".jsonl", "text/plain; charset=utf-8"},
                                                           {".xml", "application/xml"},
                                                           {".svg", "image/svg+xml"},
                                                           {".png", "image/png"},
                                                           {".jpg", "image/jpeg"},
                                                           {".gif", "image/gif"},
                                                           {".css", "text/css; charset=utf-8"},
                                                           {".js", "text/javascript; charset=utf-8"},
                                                           {".txt", "text/plain; charset=utf-8"},
                                                           {".log", "text/plain; charset=utf-8"},
                                                           {".edn", "text/plain; charset=utf-8"},
                                                           {".dot", "text/plain; charset=utf-8"},
                                                           {".md", "text/plain; charset=utf-8"},
                                                           {".csv", "text/csv; charset=utf-8"},
                                                           {".gz", "application/gzip"}};
  auto it = types.find(file.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

bool inside(const fs::path& path, const fs::path& root) {
  auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end();
}

std::string listing(const fs::path& dir, const std::string& url) {
  std::vector<std::pair<std::string, bool>> entries;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    entries.push_back({e.path().filename().string(), e.is_directory()});
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

// What to answer for the (already %-decoded) path of a GET or HEAD request.
Response resolve(const fs::path& root, const std::string& decoded) {
  if (decoded.empty() || decoded[0] != '/') return error_page(400, "the path must start with /");
  if (decoded.find('\0') != std::string::npos) return error_page(400, "the path holds a NUL byte");
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
      r.location = url_path(decoded) + "/";
      r.body = "moved to " + r.location + "\n";
      r.content_type = "text/plain; charset=utf-8";
      return r;
    }
    fs::path index = fs::canonical(real / "index.html", ec);
    if (!ec && inside(index, root) && fs::is_regular_file(index))
      real = index;
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

// Fills httplib's response from ours; files are streamed, not read into memory.
void send(const Response& r, httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.status = r.status;
  if (!r.location.empty()) res.set_header("Location", r.location);
  if (r.file.empty()) return res.set_content(r.body, r.content_type.c_str());
  auto in = std::make_shared<std::ifstream>(r.file, std::ios::binary);
  std::error_code ec;
  auto size = fs::file_size(r.file, ec);
  if (!*in || ec) return send(error_page(403, "the file cannot be read"), res);
  res.set_content_provider(size, r.content_type.c_str(), [in](size_t offset, size_t length, httplib::DataSink& sink) {
    std::vector<char> buf(std::min<size_t>(length, 64 * 1024));
    in->seekg(static_cast<std::streamoff>(offset));
    in->read(buf.data(), static_cast<std::streamsize>(buf.size()));
    return in->gcount() > 0 && sink.write(buf.data(), static_cast<size_t>(in->gcount()));
  });
}

}  // namespace

StoreServer::StoreServer(const fs::path& root, const std::string& bind_address, int port)
    : server_(std::make_unique<httplib::Server>()) {
  std::error_code ec;
  root_ = fs::canonical(root, ec);
  if (ec || !fs::is_directory(root_))
    fail(ErrorCode::kNotFound, "store " + root.string() + " is not a directory; pass the store with --store DIR");
  unsigned char address[sizeof(in6_addr)];
  if (port < 0 || port > 65535 ||
      (inet_pton(AF_INET, bind_address.c_str(), address) != 1 &&
       inet_pton(AF_INET6, bind_address.c_str(), address) != 1))
    fail(ErrorCode::kBadInput, "cannot listen on " + bind_address + ":" + std::to_string(port) +
                                   ": give a numeric address (e.g. 127.0.0.1) and a port from 0 to 65535");
  server_->Get(".*",
               [this](const httplib::Request& req, httplib::Response& res) { send(resolve(root_, req.path), res); });
  server_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "GET" || req.method == "HEAD") return httplib::Server::HandlerResponse::Unhandled;
    send(error_page(405, "only GET and HEAD are served"), res);
    res.set_header("Allow", "GET, HEAD");
    return httplib::Server::HandlerResponse::Handled;
  });
  // Not httplib's default SO_REUSEPORT: a second server on a taken port must fail, not share it.
  server_->set_socket_options([](int socket) {
    int one = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  // One request per connection, so a browser's idle keep-alive connection never holds a worker.
  server_->set_keep_alive_max_count(1);
  // A client that stalls gives up its worker after a few seconds.
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(5, 0);
  port_ = port == 0 ? server_->bind_to_any_port(bind_address) : (server_->bind_to_port(bind_address, port) ? port : -1);
  if (port_ < 0)
    fail(ErrorCode::kUnavailable,
         "cannot listen on " + bind_address + ":" + std::to_string(port) + "; choose another --port");
}

StoreServer::~StoreServer() = default;

void StoreServer::serve(const std::atomic<bool>& stop) {
  std::thread listening([this] { server_->listen_after_bind(); });
  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server_->stop();
  listening.join();
}

}  // namespace faultline
