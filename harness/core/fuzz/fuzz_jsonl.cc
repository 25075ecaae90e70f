// libFuzzer target: the JSONL history reader and the validator must never crash or hang, and what
// the reader gives, written as JSONL and read again, reads the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "harness/core/error.h"
#include "harness/core/history_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace faultline;
  CompactHistory compact;
  try {
    compact = read_jsonl_compact(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const Error&) {
    return 0;
  }
  try {
    validate(compact, "fuzz");
  } catch (const Error&) {}
  const History first = compact.history();
  std::ostringstream out;
  write_jsonl(out, first);
  const History again = read_jsonl_compact(out.str(), "again").history();
  if (again.size() != first.size()) std::abort();
  for (size_t i = 0; i < first.size(); ++i)
    if (to_json(again[i]) != to_json(first[i])) std::abort();
  return 0;
}
