// libFuzzer target: reading a spec file must never crash or hang; bad specs are Errors.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness/core/error.h"
#include "harness/core/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto j = faultline::Json::parse(std::string_view(reinterpret_cast<const char*>(data), size), nullptr,
                                  /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  try {
    auto spec = faultline::parse_spec(j, "fuzz");
    (void)spec.workers();
  } catch (const faultline::Error&) {}
  return 0;
}
