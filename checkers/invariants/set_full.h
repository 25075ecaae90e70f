// The set-full checker (Jepsen's checker/set-full). Ops: {f add, value element} and {f read, value
// [elements...]} throughout the run. For each element added, from the reads that began after it
// was known (its add completed ok, or a read saw it):
//   stable      every read after some point saw it (stale if that point came after it was known),
//   lost        it was known, and a read begun later than every read that saw it missed it,
//   never-read  neither (no read began after it was known).
// Invalid when an element was lost, a read held an element twice, or a read held an element whose
// add was never invoked before the read ended (unexpected); with option "linearizable": true, also
// when an element was stale. Unknown when no element was stable.
// Details: counts, lost / stale / never-read / duplicated / unexpected elements with the ops that
// show them (known, last-present, last-absent), worst-stale, stable- and lost-latency quantiles (ms).
#pragma once

#include <memory>

#include "checkers/checker.h"

namespace faultline {
std::unique_ptr<Checker> set_full_checker();
}
