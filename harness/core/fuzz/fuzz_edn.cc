// libFuzzer target: the EDN history reader must never crash or hang, whatever the bytes; and what
// it reads, written as JSONL and read again, reads the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "harness/core/error.h"
#include "harness/core/history_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace faultline;
  History first;
  try {
    CompactHistory compact = read_edn_compact(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    validate(compact, "fuzz");
    first = compact.history();
  } catch (const Error&) {
    return 0;
  }
  std::ostringstream out;
  for (const Op& op : first) {
    // JSON cannot hold what is not UTF-8 (EDN strings take any bytes; the writer repairs them), and
    // a JSONL reader strips one more leading ':' from f: those histories have no round trip.
    if (!op.f.empty() && op.f.front() == ':') return 0;
    try {
      (void)to_json(op).dump();  // strict: throws on bytes that are not UTF-8
    } catch (const Json::exception&) {
      return 0;
    }
    out << jsonl_line(op);
  }
  const History again = read_jsonl_compact(out.str(), "again").history();
  if (again.size() != first.size()) std::abort();
  for (size_t i = 0; i < first.size(); ++i)
    if (to_json(again[i]) != to_json(first[i])) std::abort();
  return 0;
}
