// The counter checker (Jepsen's checker/counter). Ops: {f add, value n} and {f read, value n}; the
// counter starts at 0. Every ok read must lie between the sum of adds that surely took effect
// before it began and the sum of adds that may have taken effect before it ended (failed adds never
// count; info adds may count). Negative adds are allowed: they widen the lower bound instead.
// Details: read-count, error-count, errors (each read out of bounds with lower/value/upper and the
// read op), first-error, worst-error (furthest outside its bounds).
#pragma once

#include <memory>

#include "checkers/checker.h"

namespace faultline {
std::unique_ptr<Checker> counter_checker();
}
