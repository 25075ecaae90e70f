// The set checker (Jepsen's checker/set). Ops: {f add, value element} and a final {f read, value
// [elements...]}; the last ok read is the final one. Invalid when an element whose add completed ok
// is missing from the final read (lost), or the read holds an element never attempted (unexpected).
// Unknown when the set was never read. Elements are compared as JSON values.
// Details: counts, lost (element + the ok add op), unexpected, recovered (info adds that did
// happen), final-read (the read op).
#pragma once

#include <memory>

#include "checkers/checker.h"

namespace faultline {
std::unique_ptr<Checker> set_checker();
}
