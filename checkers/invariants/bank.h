// The bank checker (Jepsen's tests/bank checker). Ops: {f transfer, value {from, to, amount}} and
// {f read, value {account: balance, ...}}; only ok reads are judged. Each read must show only known
// accounts, no null balance, the right total, and (unless option "negative-balances": true) no
// negative balance. Options: "total" (default: the total of the first ok read, named in details as
// total-source), "accounts" (list of account ids; default: any key is accepted).
// Details: read-count, error-count, total, total-source, first-error, errors by type
// (unexpected-key, nil-balance, wrong-total, negative-value) each with count/first/worst/last, and
// lowest/highest for wrong-total. Each error names its read op with its index.
#pragma once

#include <memory>

#include "checkers/checker.h"

namespace faultline {
std::unique_ptr<Checker> bank_checker();
}
