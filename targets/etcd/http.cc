#include "targets/etcd/http.h"

#include <algorithm>
#include <cstring>

#include <curl/curl.h>

#include <mutex>

#include "harness/core/error.h"

namespace faultline {

namespace {

// The request body, handed to curl as it sends it. `started` records that curl began sending it:
// curl retries a request on a fresh connection when a kept-alive one turns out dead, so "could not
// connect" can follow a request that already reached the server (which may then have applied it).
struct Upload {
  const std::string* body;
  size_t offset = 0;
  bool started = false;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* in) {
  auto* upload = static_cast<Upload*>(in);
  upload->started = true;
  size_t n = std::min(size * count, upload->body->size() - upload->offset);
  std::memcpy(buffer, upload->body->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

size_t append_to_string(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

HttpJson::HttpJson() {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
  if (!curl_) fail(ErrorCode::kInternal, "libcurl could not create a handle");
}

HttpJson::~HttpJson() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpReply HttpJson::post(const std::string& url, const Json& body, std::chrono::milliseconds timeout) {
  std::string text = body.dump();
  return perform(url, &text, timeout);
}

HttpReply HttpJson::get(const std::string& url, std::chrono::milliseconds timeout) {
  return perform(url, nullptr, timeout);
}

HttpReply HttpJson::perform(const std::string& url, const std::string* body, std::chrono::milliseconds timeout) {
  CURL* c = static_cast<CURL*>(curl_);
  std::string received;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for timeouts
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<int64_t>(timeout.count(), 2000)));
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &received);
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  Upload upload{body};
  if (body) {
    // Without a seek function curl cannot rewind a body it began to send, so it does not resend
    // it on a fresh connection: that failure is reported as an unknown outcome below.
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  CURLcode code = curl_easy_perform(c);
  curl_slist_free_all(headers);
  auto connected = [&] {
    long connect = 0;  // a timeout before the connection was made: nothing was sent
    curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connect);
    return connect != 0;
  };
  bool nothing_sent = !upload.started && (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
                                          (code == CURLE_OPERATION_TIMEDOUT && !connected()));
  if (nothing_sent) fail(ErrorCode::kUnavailable, url + ": " + curl_easy_strerror(code));
  if (code != CURLE_OK) fail(ErrorCode::kTimeout, url + ": " + curl_easy_strerror(code));
  HttpReply reply;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  reply.body = Json::parse(received, nullptr, false);
  if (reply.body.is_discarded()) reply.body = received;
  return reply;
}

}  // namespace faultline
