// Standard base64 (RFC 4648, with padding), through OpenSSL: etcd's JSON gateway encodes keys and
// values this way, and OpenSSH fingerprints are base64 of a digest.
#pragma once

#include <string>

namespace faultline {

std::string base64_encode(const std::string& bytes);
// Throws Error(kBadInput) naming the text when it is not base64.
std::string base64_decode(const std::string& text);

}  // namespace faultline
