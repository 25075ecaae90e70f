#include "harness/control/base64.h"

#include <gtest/gtest.h>

#include "harness/core/error.h"

namespace faultline {
namespace {

TEST(Base64, RoundTripsAndMatchesKnownEncodings) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("register/12"), "cmVnaXN0ZXIvMTI=");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode(""), "");
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
  EXPECT_EQ(base64_decode(base64_encode(std::string(3, '\0'))), std::string(3, '\0'));
}

TEST(Base64, RejectsWhatIsNotBase64) {
  for (const char* bad : {"Zm9", "Zm9v!A==", "****"}) {
    try {
      base64_decode(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadInput) << bad;
    }
  }
}

}  // namespace
}  // namespace faultline
