#include "harness/control/base64.h"

#include <openssl/evp.h>

#include "harness/core/error.h"

namespace faultline {

std::string base64_encode(const std::string& bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  text.resize(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                              reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size())));
  return text;
}

std::string base64_decode(const std::string& text) {
  // EVP_DecodeBlock wants whole 4-character groups and counts padding as zero bytes.
  if (text.size() % 4 != 0) fail(ErrorCode::kBadInput, "invalid base64 (length not a multiple of 4): \"" + text + "\"");
  std::string bytes(3 * (text.size() / 4), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) fail(ErrorCode::kBadInput, "invalid base64 character in \"" + text + "\"");
  size_t padding = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : !text.empty() && text.back() == '=' ? 1 : 0;
  bytes.resize(static_cast<size_t>(n) - padding);
  return bytes;
}

}  // namespace faultline
