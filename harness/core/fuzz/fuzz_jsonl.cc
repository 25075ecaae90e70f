// libFuzzer target: the JSONL history reader and the validator must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness/core/error.h"
#include "harness/core/history_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto history = faultline::read_jsonl(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    faultline::validate(history, "fuzz");
  } catch (const faultline::Error&) {}
  return 0;
}
