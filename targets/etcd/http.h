// A small blocking JSON-over-HTTP client (libcurl), one connection kept alive per instance. Not
// thread-safe: one per client worker.
#pragma once

#include <chrono>
#include <string>

#include "harness/core/json.h"

namespace faultline {

struct HttpReply {
  long status = 0;
  Json body;  // the parsed body; a body that is not JSON is kept as a string
};

class HttpJson {
 public:
  HttpJson();
  ~HttpJson();
  HttpJson(const HttpJson&) = delete;
  HttpJson& operator=(const HttpJson&) = delete;

  // POSTs `body` to `url` and returns the reply within `timeout`. Throws Error(kUnavailable) when
  // no connection could be made (nothing was sent) and Error(kTimeout) for any failure after that
  // (timeout, dropped connection), where the request may have taken effect.
  HttpReply post(const std::string& url, const Json& body, std::chrono::milliseconds timeout);
  // GET, with the same contract.
  HttpReply get(const std::string& url, std::chrono::milliseconds timeout);

 private:
  HttpReply perform(const std::string& url, const std::string* body, std::chrono::milliseconds timeout);
  void* curl_;
};

}  // namespace faultline
