// libFuzzer target: the EDN history reader must never crash or hang, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness/core/error.h"
#include "harness/core/history_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    faultline::read_edn_history(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const faultline::Error&) {}
  return 0;
}
