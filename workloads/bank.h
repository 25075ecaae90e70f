// bank: transfers between accounts 0..accounts-1 and reads of every balance, half each. The total
// (accounts x balance) must hold in every read. The system must start with these accounts and
// balances: for the memory target pass the same accounts and balance as target options (both
// default to 5 and 10).
//   accounts (5), balance (10), max-transfer (5): amounts uniform in [1, max-transfer],
//   negative-balances (false): whether a read may show a negative balance.
#pragma once

#include "workloads/workload.h"

namespace faultline {
Workload bank_workload(const WorkloadEnv& env);
}
