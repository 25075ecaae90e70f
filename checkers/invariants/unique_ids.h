// The unique-ids checker (Jepsen's checker/unique-ids). Ops: {f generate} whose ok completions carry
// the generated id as value. Invalid when two ok generates returned the same id.
// Details: attempted-count, acknowledged-count, duplicated-count, duplicated (the 48 most repeated
// ids, each with its count and the ops that returned it), first-duplicate (the earliest op that
// repeated an id, with the op that returned it before), range [lowest, highest].
#pragma once

#include <memory>

#include "checkers/checker.h"

namespace faultline {
std::unique_ptr<Checker> unique_ids_checker();
}
